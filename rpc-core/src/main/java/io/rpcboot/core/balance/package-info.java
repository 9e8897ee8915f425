/**
 * Load balancing over the instances of a service. A {@link io.rpcboot.core.balance.LoadBalancer}
 * builds an immutable {@link io.rpcboot.core.balance.LoadBalancer.Picker} whenever membership changes;
 * each call asks the picker, which never takes a lock. Built in, by name: {@code round-robin} (the
 * default), {@code weighted}, {@code random}, {@code least-active}, {@code consistent-hash},
 * {@code p2c}.
 */
@NullMarked
package io.rpcboot.core.balance;

import org.jspecify.annotations.NullMarked;
