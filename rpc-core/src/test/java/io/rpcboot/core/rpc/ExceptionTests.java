package io.rpcboot.core.rpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.intercept.ClientInterceptor;
import io.rpcboot.core.serialize.Serializations;
import io.rpcboot.core.serialize.TypeAllowList;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A declared (or allow-listed) exception a provider throws reaches the caller as itself, with its
 * message, fields and cause chain; anything else arrives as {@link RpcRemoteException}.
 */
@Timeout(60)
class ExceptionTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    /** A checked business exception whose constructor takes its fields and makes the message. */
    public static class ItemNotFoundException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String itemId;
        private final int shelf;

        public ItemNotFoundException(String itemId, int shelf) {
            super("no item " + itemId + " on shelf " + shelf);
            this.itemId = itemId;
            this.shelf = shelf;
        }

        public String itemId() {
            return itemId;
        }

        public int shelf() {
            return shelf;
        }
    }

    /** An unchecked one with the usual (message) constructor and a mutable field. */
    public static class OutOfStockException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private List<String> missing = List.of();

        public OutOfStockException(String message) {
            super(message);
        }

        public List<String> missing() {
            return missing;
        }

        public OutOfStockException missing(List<String> v) {
            missing = v;
            return this;
        }
    }

    /** Declared by no method: sent as itself only where an allow-list names it. */
    public static class QuotaException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        public QuotaException(String message, long limit) {
            super(message);
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    public interface Warehouse {
        String find(String id) throws ItemNotFoundException;

        String reserve(List<String> ids) throws OutOfStockException;

        CompletableFuture<String> findLater(String id) throws ItemNotFoundException;

        String broken(String why);

        String overQuota();
    }

    static final class Store implements Warehouse {
        @Override
        public String find(String id) throws ItemNotFoundException {
            if (id.equals("wrapped")) {
                ItemNotFoundException e = new ItemNotFoundException(id, 3);
                e.initCause(new UncheckedIOException("index unreadable", new IOException("disk gone")));
                throw e;
            }
            throw new ItemNotFoundException(id, 7);
        }

        @Override
        public String reserve(List<String> ids) {
            throw new OutOfStockException("cannot reserve " + ids.size() + " items").missing(ids.subList(1, ids.size()));
        }

        @Override
        public CompletableFuture<String> findLater(String id) {
            return CompletableFuture.failedFuture(new ItemNotFoundException(id, 9));
        }

        @Override
        public String broken(String why) {
            throw new IllegalStateException(why);
        }

        @Override
        public String overQuota() {
            throw new QuotaException("over quota", 100);
        }
    }

    private Warehouse warehouse(ServerConfig.Builder server, TypeAllowList clientTypes, TypeAllowList serverTypes,
                                ClientInterceptor... interceptors) {
        fixture.server(server, b -> b.serializations(Serializations.defaults(serverTypes)).service(Warehouse.class,
                new Store()));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(2), b -> {
            b.serializations(Serializations.defaults(clientTypes));
            for (ClientInterceptor i : interceptors) {
                b.interceptor(i);
            }
        });
        return client.create(Warehouse.class);
    }

    private Warehouse warehouse() {
        return warehouse(server(), new TypeAllowList(), new TypeAllowList());
    }

    private static ServerConfig.Builder server() {
        return ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(2).workerThreads(8);
    }

    @Test
    void aDeclaredCheckedExceptionArrivesAsItselfWithItsFields() {
        Warehouse w = warehouse();
        ItemNotFoundException e = (ItemNotFoundException) catchThrowable(() -> w.find("A-17"));
        assertThat(e.itemId()).isEqualTo("A-17");
        assertThat(e.shelf()).isEqualTo(7);
        assertThat(e).hasMessage("no item A-17 on shelf 7").hasNoCause();
        // where it came from, for logs: the remote error among its suppressed exceptions
        assertThat(e.getSuppressed()).singleElement().isInstanceOfSatisfying(RpcRemoteException.class, r -> {
            assertThat(r.status()).isEqualTo(RpcStatus.SERVICE_ERROR);
            assertThat(r.getMessage()).startsWith(Warehouse.class.getName() + ".find(java.lang.String) on 127.0.0.1:");
        });
        // no remote frames by default: the caller's own, which name this test
        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                .contains("aDeclaredCheckedExceptionArrivesAsItselfWithItsFields");
    }

    @Test
    void aDeclaredUncheckedExceptionArrivesAsItselfWithItsFields() {
        Warehouse w = warehouse();
        assertThatExceptionOfType(OutOfStockException.class).isThrownBy(() -> w.reserve(List.of("a", "b", "c")))
                .withMessage("cannot reserve 3 items")
                .satisfies(e -> assertThat(e.missing()).containsExactly("b", "c"));
    }

    @Test
    void theCauseChainArrivesAsFarAsThisSideCanRebuildIt() {
        Warehouse w = warehouse();
        ItemNotFoundException e = (ItemNotFoundException) catchThrowable(() -> w.find("wrapped"));
        assertThat(e.shelf()).isEqualTo(3);
        // neither cause is declared or allowed: each is named by its remote type and message
        assertThat(e.getCause()).isInstanceOfSatisfying(RpcRemoteException.class, c -> {
            assertThat(c.remoteType()).isEqualTo("java.io.UncheckedIOException");
            assertThat(c.remoteMessage()).isEqualTo("index unreadable");
        });
        assertThat(e.getCause().getCause()).isInstanceOfSatisfying(RpcRemoteException.class, c -> {
            assertThat(c.remoteType()).isEqualTo("java.io.IOException");
            assertThat(c.remoteMessage()).isEqualTo("disk gone");
        });
    }

    @Test
    void anAsynchronousMethodFailsItsFutureWithTheExceptionItself() {
        Warehouse w = warehouse();
        assertThat(catchThrowable(() -> w.findLater("B-2").get(5, TimeUnit.SECONDS))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ItemNotFoundException.class, e -> assertThat(e.shelf()).isEqualTo(9));
    }

    @Test
    void anUndeclaredExceptionArrivesAsRpcRemoteExceptionWithItsType() {
        Warehouse w = warehouse();
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> w.broken("bad state"))
                .satisfies(e -> {
                    assertThat(e.remoteType()).isEqualTo(IllegalStateException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("bad state");
                    assertThat(e.providerException()).isNull();
                });
    }

    @Test
    void anUndeclaredTypeNeedsTheAllowListOnBothSides() {
        // the server sends it as itself, the client's list does not name it: RpcRemoteException
        Warehouse onlyServer = warehouse(server(), new TypeAllowList(), new TypeAllowList().allow(QuotaException.class));
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(onlyServer::overQuota)
                .satisfies(e -> assertThat(e.remoteType()).isEqualTo(QuotaException.class.getName()));
        // both name it: it arrives as itself
        Warehouse both = warehouse(server(), new TypeAllowList().allow(QuotaException.class),
                new TypeAllowList().allow(QuotaException.class));
        assertThatExceptionOfType(QuotaException.class).isThrownBy(both::overQuota).withMessage("over quota")
                .satisfies(e -> assertThat(e.limit()).isEqualTo(100));
    }

    @Test
    void withStackTracesOnTheProviderFramesArrive() {
        Warehouse w = warehouse(server().sendStackTraces(true), new TypeAllowList(), new TypeAllowList());
        ItemNotFoundException e = (ItemNotFoundException) catchThrowable(() -> w.find("C"));
        assertThat(e.getStackTrace()).isNotEmpty();
        assertThat(e.getStackTrace()[0].getClassName()).isEqualTo(Store.class.getName());
        assertThat(e.getStackTrace()[0].getMethodName()).isEqualTo("find");
    }

    @Test
    void throughInterceptorsTheCallerStillGetsTheExceptionItself() throws Exception {
        List<Throwable> seenByInterceptor = new java.util.concurrent.CopyOnWriteArrayList<>();
        ClientInterceptor watcher = chain -> chain.proceed().whenComplete((v, t) -> {
            if (t != null) {
                seenByInterceptor.add(t);
            }
        });
        Warehouse w = warehouse(server(), new TypeAllowList(), new TypeAllowList(), watcher);
        assertThatExceptionOfType(ItemNotFoundException.class).isThrownBy(() -> w.find("D"));
        assertThat(catchThrowable(() -> w.findLater("E").get(5, TimeUnit.SECONDS))).cause()
                .isInstanceOf(ItemNotFoundException.class);
        // interceptors see the status-bearing RpcRemoteException, carrying the rebuilt exception
        assertThat(seenByInterceptor).hasSize(2).allSatisfy(t -> assertThat(
                t instanceof java.util.concurrent.CompletionException c ? c.getCause() : t).isInstanceOfSatisfying(
                RpcRemoteException.class, r -> assertThat(r.providerException()).isInstanceOf(ItemNotFoundException.class)));
    }

    @Test
    void theClientsMetersNameTheExceptionTheCallerCaught() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        fixture.server(server(), b -> b.service(Warehouse.class, new Store()));
        Warehouse w = fixture.client(ClientConfig.builder().ioThreads(2), new io.rpcboot.core.metrics.RpcMetrics(registry))
                .create(Warehouse.class);
        catchThrowable(() -> w.find("F"));
        catchThrowable(() -> w.broken("no"));
        assertThat(registry.get("rpc.client.requests").tag("method", "find").tag("status", "SERVICE_ERROR")
                .tag("exception", "ItemNotFoundException").timer().count()).isEqualTo(1);
        assertThat(registry.get("rpc.client.requests").tag("method", "broken").tag("status", "SERVICE_ERROR")
                .tag("exception", "RpcRemoteException").timer().count()).isEqualTo(1);
    }
}
