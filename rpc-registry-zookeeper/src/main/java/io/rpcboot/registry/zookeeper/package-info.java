/** A {@link io.rpcboot.core.registry.ServiceRegistry} on ZooKeeper through Apache Curator. */
@NullMarked
package io.rpcboot.registry.zookeeper;

import org.jspecify.annotations.NullMarked;
