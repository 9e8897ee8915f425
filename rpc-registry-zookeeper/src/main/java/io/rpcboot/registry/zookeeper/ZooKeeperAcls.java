package io.rpcboot.registry.zookeeper;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.rpcboot.core.RpcException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's ZooKeeper access rules. With a digest identity configured, every node the registry
 * creates (root, service, providers, registrations) gets the same ACL: that identity may do
 * everything, anyone may read. So only providers holding the identity can register, change or delete
 * a registration; consumers need no credentials. ZooKeeper ACLs are not inherited, so the root is
 * created persistent with that ACL, and one found open to anyone is reported.
 */
final class ZooKeeperAcls {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperAcls.class);

    private ZooKeeperAcls() {
    }

    /** Read for anyone, everything for the providers' identity (a mutable-type list: ZooKeeper calls contains(null)). */
    static List<ACL> providersWriteAnyoneReads(String username, String password) {
        String id;
        try {
            id = DigestAuthenticationProvider.generateDigest(username + ":" + password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("ZooKeeper's digest algorithm is missing from this JDK", e);
        }
        return Collections.unmodifiableList(new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", id)),
                new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE))));
    }

    static ACLProvider provider(List<ACL> acl) {
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    static byte[] credentials(ZooKeeperRegistryConfig config) {
        return (config.username() + ":" + config.password()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Connected with credentials: creates the root (persistent, with the ACL) if it is missing, warns
     * if it lets anyone write, and checks that this identity may register under it.
     *
     * @throws RpcException naming the identity and the root if ZooKeeper refuses it
     */
    static void prepareRoot(CuratorFramework client, ZooKeeperRegistryConfig config) {
        String root = config.rootPath();
        try {
            if (client.checkExists().forPath(root) == null) {
                try {
                    client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT).forPath(root);
                } catch (KeeperException.NodeExistsException raced) {
                    // another provider made it first
                }
            }
            for (ACL acl : client.getACL().forPath(root)) {
                if (acl.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE) && (acl.getPerms() & ~ZooDefs.Perms.READ) != 0) {
                    log.warn("ZooKeeper node {} at {} lets anyone create and delete under it (ACL {}): registrations"
                            + " there are not protected. Recreate it, or give it the registry's ACL (digest {}: all,"
                            + " anyone: read) with setAcl", root, config.address(), acl, config.username());
                }
            }
        } catch (Exception e) {
            throw refused(config, e);
        }
        probeWrite(client, config);
    }

    /**
     * Creates and deletes one ephemeral node under the root, as a registration would.
     *
     * @throws RpcException if ZooKeeper refuses (NoAuth), naming what to configure
     */
    static void probeWrite(CuratorFramework client, ZooKeeperRegistryConfig config) {
        try {
            String probe = client.create().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(config.rootPath() + "/.probe-");
            client.delete().forPath(probe);
        } catch (KeeperException.NoNodeException noRoot) {
            // no root yet: the first registration creates it with this client's ACL
        } catch (Exception e) {
            throw refused(config, e);
        }
    }

    private static RpcException refused(ZooKeeperRegistryConfig config, Exception e) {
        if (e instanceof KeeperException.NoAuthException) {
            return new RpcException("ZooKeeper at " + config.address() + " refuses "
                    + (config.authenticates() ? "digest user '" + config.username() + "' (a wrong password, or the"
                            + " root belongs to another identity)" : "an unauthenticated client")
                    + " the right to register under " + config.rootPath() + "; providers need the registry's"
                    + " credentials (rpc.registry.zookeeper.username and password)", e);
        }
        return new RpcException("cannot prepare " + config.rootPath() + " at ZooKeeper " + config.address() + ": " + e, e);
    }
}
