/**
 * Not API. {@link io.rpcboot.core.internal.balance.LiveFigures}: the figures a client updates around
 * each call, which balancers read through the read-only {@link io.rpcboot.core.balance.InstanceFigures}.
 */
@NullMarked
package io.rpcboot.core.internal.balance;

import org.jspecify.annotations.NullMarked;
