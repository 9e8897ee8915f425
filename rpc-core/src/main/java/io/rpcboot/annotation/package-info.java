/**
 * The annotations applications put on their code: {@link io.rpcboot.annotation.RpcProvider} on a
 * bean that implements a service, {@link io.rpcboot.annotation.RpcReference} on a field that calls
 * one. Plain Java, no Spring types: API and service modules can use them without depending on Spring.
 */
@NullMarked
package io.rpcboot.annotation;

import org.jspecify.annotations.NullMarked;
