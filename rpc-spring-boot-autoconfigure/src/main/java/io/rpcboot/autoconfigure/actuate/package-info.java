/** Actuator support for rpc-boot: the {@code rpc} endpoint and the {@code rpc} health indicator. */
@NullMarked
package io.rpcboot.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
