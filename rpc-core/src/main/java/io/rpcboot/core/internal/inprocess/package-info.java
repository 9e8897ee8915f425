/**
 * The in-process transport's addresses: servers of this JVM listening on Unix-domain sockets, no
 * TCP port, for tests. Depends on nothing else in rpc-core, so that the registry can resolve them.
 */
@NullMarked
package io.rpcboot.core.internal.inprocess;

import org.jspecify.annotations.NullMarked;
