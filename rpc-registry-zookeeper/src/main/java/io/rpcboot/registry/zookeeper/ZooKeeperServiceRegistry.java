package io.rpcboot.registry.zookeeper;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.rpcboot.core.RpcException;
import io.rpcboot.core.metrics.RpcMetrics;
import io.rpcboot.core.registry.RegistryConnectionState;
import io.rpcboot.core.registry.ServiceInstance;
import io.rpcboot.core.registry.ServiceKey;
import io.rpcboot.core.registry.ServiceRegistry;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service discovery on ZooKeeper, through Apache Curator.
 *
 * <pre>
 *  {root}/{service}/providers/{host:port}      ephemeral; data: weight, interface, version, group, metadata
 *  {service} = URL-encoded "interface:version:group"
 * </pre>
 *
 * <ul>
 *   <li>Each registration is a Curator {@link PersistentNode} in ephemeral mode: if the session
 *       expires (a long pause, a partition) the node comes back by itself once the client reconnects.
 *       {@link #unregister} (and {@link #close}) delete it at once.</li>
 *   <li>Each subscription is a {@link CuratorCache} of the providers node: the consumer keeps its last
 *       snapshot while ZooKeeper is unreachable (calls go on to the known instances) and the cache
 *       catches up when the connection returns.</li>
 * </ul>
 *
 * Thread-safe.
 */
public final class ZooKeeperServiceRegistry implements ServiceRegistry {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperServiceRegistry.class);

    private final CuratorFramework client;
    private final ZooKeeperRegistryConfig config;
    private final boolean ownsClient;
    private final Map<ServiceInstance, PersistentNode> registered = new ConcurrentHashMap<>();
    /** Every live subscription's cache, by service; the first one also answers {@link #instances}. */
    private final Map<ServiceKey, List<CuratorCache>> caches = new ConcurrentHashMap<>();
    private final ConnectionStateListener stateListener;
    private final Counter registers;
    private final Counter unregisters;
    private final Counter subscribes;
    private final Counter events;
    private volatile ConnectionState state = ConnectionState.CONNECTED;

    private ZooKeeperServiceRegistry(CuratorFramework client, ZooKeeperRegistryConfig config, boolean ownsClient,
                                     RpcMetrics metrics) {
        this.client = client;
        this.config = config;
        this.ownsClient = ownsClient;
        this.registers = metrics.registryOperations("zookeeper", "register");
        this.unregisters = metrics.registryOperations("zookeeper", "unregister");
        this.subscribes = metrics.registryOperations("zookeeper", "subscribe");
        this.events = metrics.registryEvents("zookeeper");
        metrics.registryConnected("zookeeper", this::connectionState);
        this.stateListener = (c, newState) -> {
            state = newState;
            log.info("ZooKeeper registry at {}: {}", config.address(), newState);
        };
        client.getConnectionStateListenable().addListener(stateListener);
    }

    /**
     * Connects to ZooKeeper and waits for the first connection.
     *
     * @throws RpcException naming the address if no server answered within the connection timeout
     */
    public static ZooKeeperServiceRegistry connect(ZooKeeperRegistryConfig config, RpcMetrics metrics) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder().connectString(config.address())
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) config.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry((int) config.retryBaseSleep().toMillis(), config.maxRetries()));
        if (config.authenticates()) {
            builder.authorization("digest", ZooKeeperAcls.credentials(config)).aclProvider(ZooKeeperAcls.provider(
                    ZooKeeperAcls.providersWriteAnyoneReads(config.username(), config.password())));
        }
        CuratorFramework client = builder.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                client.close();
                throw new RpcException("no ZooKeeper server at " + config.address() + " answered within "
                        + config.connectionTimeout().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new RpcException("interrupted while connecting to ZooKeeper at " + config.address());
        }
        if (config.authenticates()) {
            try {
                ZooKeeperAcls.prepareRoot(client, config);
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }
        return new ZooKeeperServiceRegistry(client, config, true, metrics);
    }

    /** On an application's own, started Curator client (not closed by {@link #close()}). */
    public static ZooKeeperServiceRegistry using(CuratorFramework client, ZooKeeperRegistryConfig config,
                                                RpcMetrics metrics) {
        return new ZooKeeperServiceRegistry(client, config, false, metrics);
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    /** Curator's state folded into ours: {@code RECONNECTED} is connected, {@code READ_ONLY} (not enabled here) suspended. */
    @Override
    public RegistryConnectionState connectionState() {
        return switch (state) {
            case CONNECTED, RECONNECTED -> RegistryConnectionState.CONNECTED;
            case SUSPENDED, READ_ONLY -> RegistryConnectionState.SUSPENDED;
            case LOST -> RegistryConnectionState.LOST;
        };
    }

    @Override
    public void register(ServiceInstance instance) {
        // one instance's node is created, replaced or removed under that map entry's lock, so a
        // concurrent register/unregister can never leave an orphan node that keeps recreating itself
        PersistentNode node = registered.compute(instance, (k, old) -> {
            if (old != null) {
                try {
                    old.setData(encode(instance)); // same node, new data (e.g. a new weight): no flicker
                    return old;
                } catch (Exception e) {
                    closeQuietly(old);
                }
            }
            PersistentNode fresh = new PersistentNode(client, CreateMode.EPHEMERAL, false, instancePath(instance),
                    encode(instance));
            fresh.start();
            return fresh;
        });
        try {
            if (!node.waitForInitialCreate(config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                refusedRegistration(instance, node);
                log.warn("{} not yet written to ZooKeeper at {}; it will be once the connection allows",
                        instance, config.address());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registers.increment();
        log.debug("registered {} at {}", instance, instancePath(instance));
    }

    /**
     * A registration not written in time: if ZooKeeper refuses this client (ACLs it lacks the
     * credentials for), the registration is dropped and the failure thrown, instead of a node that
     * never appears.
     */
    private void refusedRegistration(ServiceInstance instance, PersistentNode node) {
        if (state != ConnectionState.CONNECTED && state != ConnectionState.RECONNECTED) {
            return; // not connected: it is written once the connection is back
        }
        try {
            ZooKeeperAcls.probeWrite(client, config);
        } catch (RpcException refused) {
            registered.remove(instance, node);
            closeQuietly(node);
            throw refused;
        }
    }

    @Override
    public void unregister(ServiceInstance instance) {
        PersistentNode node = registered.remove(instance);
        if (node != null) {
            closeSoon(node);
            unregisters.increment();
        }
    }

    /**
     * Deletes a registration. While ZooKeeper is unreachable the delete would wait out every retry
     * (and hold up a graceful stop): then it runs in the background; the ephemeral node goes with
     * the session anyway.
     */
    private void closeSoon(PersistentNode node) {
        if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
            closeQuietly(node);
        } else {
            CompletableFuture.runAsync(() -> closeQuietly(node));
        }
    }

    @Override
    public List<ServiceInstance> instances(ServiceKey key) {
        List<CuratorCache> live = caches.get(key);
        if (live != null && !live.isEmpty()) {
            return fromCache(key, live.get(0));
        }
        String providers = providersPath(key);
        try {
            if (client.checkExists().forPath(providers) == null) {
                return List.of();
            }
            List<ServiceInstance> list = new ArrayList<>();
            for (String child : client.getChildren().forPath(providers)) {
                try {
                    list.add(decode(key, child, client.getData().forPath(providers + "/" + child)));
                } catch (KeeperException.NoNodeException gone) {
                    // it left between the listing and the read
                }
            }
            list.sort(BY_ADDRESS);
            return List.copyOf(list);
        } catch (Exception e) {
            throw new RpcException("cannot read the instances of " + key + " from ZooKeeper at " + config.address()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Subscription subscribe(ServiceKey key, Consumer<List<ServiceInstance>> listener) {
        String providers = providersPath(key);
        CuratorCache cache = CuratorCache.build(client, providers);
        CountDownLatch initialized = new CountDownLatch(1);
        Object order = new Object(); // calls for one subscription do not overlap
        Runnable deliver = () -> {
            synchronized (order) {
                listener.accept(fromCache(key, cache));
            }
        };
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> {
                    if (initialized.getCount() == 0) {
                        events.increment();
                        deliver.run();
                    }
                })
                .forInitialized(() -> {
                    initialized.countDown();
                    deliver.run();
                }).build());
        caches.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(cache);
        cache.start();
        subscribes.increment();
        try {
            if (!initialized.await(config.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("the instances of {} were not read from ZooKeeper at {} within {} ms; until they are, "
                        + "calls find no instance", key, config.address(), config.connectionTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return () -> {
            List<CuratorCache> live = caches.get(key);
            if (live != null) {
                live.remove(cache);
            }
            cache.close();
        };
    }

    private List<ServiceInstance> fromCache(ServiceKey key, CuratorCache cache) {
        String prefix = providersPath(key) + "/";
        List<ServiceInstance> list = new ArrayList<>();
        cache.stream().filter(d -> d.getPath().startsWith(prefix) && d.getPath().indexOf('/', prefix.length()) < 0)
                .forEach(d -> list.add(decode(key, d.getPath().substring(prefix.length()), d.getData())));
        list.sort(BY_ADDRESS);
        return List.copyOf(list);
    }

    private static final Comparator<ServiceInstance> BY_ADDRESS = Comparator.comparing(ServiceInstance::address);

    String providersPath(ServiceKey key) {
        String service = key.interfaceName() + ":" + key.version() + ":" + key.group();
        return config.rootPath() + "/" + URLEncoder.encode(service, StandardCharsets.UTF_8) + "/providers";
    }

    private String instancePath(ServiceInstance instance) {
        return providersPath(instance.key()) + "/" + URLEncoder.encode(instance.address(), StandardCharsets.UTF_8);
    }

    /** {@code key=value} lines, URL-encoded values: readable with zkCli, parseable by any language. */
    static byte[] encode(ServiceInstance instance) {
        StringBuilder sb = new StringBuilder();
        line(sb, "interface", instance.key().interfaceName());
        line(sb, "version", instance.key().version());
        line(sb, "group", instance.key().group());
        line(sb, "weight", String.valueOf(instance.weight()));
        instance.metadata().forEach((k, v) -> line(sb, "meta." + k, v));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('\n');
    }

    static ServiceInstance decode(ServiceKey key, String encodedAddress, byte @Nullable [] data) {
        ServiceInstance address = ServiceInstance.parse(key, URLDecoder.decode(encodedAddress, StandardCharsets.UTF_8));
        int weight = ServiceInstance.DEFAULT_WEIGHT;
        Map<String, String> metadata = new LinkedHashMap<>();
        if (data != null) {
            for (String line : new String(data, StandardCharsets.UTF_8).split("\n")) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String k = line.substring(0, eq);
                String v = URLDecoder.decode(line.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("weight")) {
                    try {
                        weight = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        log.warn("bad weight '{}' for {}; using {}", v, address, ServiceInstance.DEFAULT_WEIGHT);
                    }
                } else if (k.startsWith("meta.")) {
                    metadata.put(k.substring(5), v);
                }
            }
        }
        return new ServiceInstance(key, address.host(), address.port(), weight, metadata);
    }

    private static void closeQuietly(PersistentNode node) {
        try {
            node.close();
        } catch (Exception e) {
            log.debug("closing a registration failed", e);
        }
    }

    /** Withdraws every registration, stops every watch and, if it opened it, closes the client. */
    @Override
    public void close() {
        registered.values().forEach(this::closeSoon);
        registered.clear();
        caches.values().forEach(list -> list.forEach(CuratorCache::close));
        caches.clear();
        client.getConnectionStateListenable().removeListener(stateListener);
        if (ownsClient) {
            client.close();
        }
    }

    public ZooKeeperRegistryConfig config() {
        return config;
    }

    /** The Curator client, for tests that break its session. */
    CuratorFramework curator() {
        return client;
    }

    @Override
    public String toString() {
        return "ZooKeeperServiceRegistry[" + config.address() + config.rootPath() + ", " + state + "]";
    }
}
