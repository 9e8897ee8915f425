/**
 * Service discovery: {@link io.rpcboot.core.registry.ServiceRegistry} (register, unregister, list,
 * subscribe) and its thread-safe {@link io.rpcboot.core.registry.InMemoryServiceRegistry}, which can be
 * seeded with static {@code host:port} addresses.
 */
@NullMarked
package io.rpcboot.core.registry;

import org.jspecify.annotations.NullMarked;
