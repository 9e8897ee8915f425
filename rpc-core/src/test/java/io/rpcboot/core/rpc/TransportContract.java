package io.rpcboot.core.rpc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.RpcStatus;
import io.rpcboot.core.RpcTimeoutException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import io.rpcboot.core.rpc.TestServices.Calculator;
import io.rpcboot.core.rpc.TestServices.DefaultCalculator;
import io.rpcboot.core.rpc.TestServices.Item;
import io.rpcboot.core.server.RpcServer;
import io.rpcboot.core.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One contract, two transports: what passes over the in-process transport passes over TCP. Each
 * subclass names its transport; every test here runs on both.
 */
@Timeout(60)
abstract class TransportContract {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    abstract ServerConfig.Transport transport();

    public static class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int code;

        public Rejected(String message, int code) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    public interface Contract {
        String slow(long millis);

        String refuse(int code) throws Rejected;

        String describe(Object anything);

        int size(byte[] data);
    }

    static final class Provider implements Contract {
        private final CountDownLatch never = new CountDownLatch(1);

        @Override
        public String slow(long millis) {
            try {
                never.await(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "slept";
        }

        @Override
        public String refuse(int code) {
            throw new Rejected("refused with " + code, code);
        }

        @Override
        public String describe(Object anything) {
            return String.valueOf(anything);
        }

        @Override
        public int size(byte[] data) {
            return data.length;
        }
    }

    /** Open types ({@code Object}) may carry this only where the allow-list names it. */
    public record Secret(String value) {
    }

    RpcServer server() {
        return fixture.server(ServerConfig.builder().host("127.0.0.1").port(0).ioThreads(1).workerThreads(8)
                .maxFrameSize(64 * 1024).transport(transport()), b -> b.service(Calculator.class, new DefaultCalculator())
                .service(Contract.class, new Provider()));
    }

    RpcClient client() {
        return fixture.client(ClientConfig.builder().ioThreads(1).timeout(Duration.ofSeconds(10)));
    }

    @Test
    void callsRoundTripWithOverloadsRecordsAndFutures() throws Exception {
        server();
        Calculator calc = client().create(Calculator.class);
        assertThat(calc.add(2, 3)).isEqualTo(5);
        assertThat(calc.add("a", "b")).isEqualTo("ab");
        assertThat(calc.items(Map.of("a", 1), "gift")).containsExactly(new Item("a", 1, Optional.of("gift")));
        assertThat(calc.addLater(20, 22).get(5, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void aDeclaredExceptionArrivesAsItself() {
        server();
        Contract contract = client().create(Contract.class);
        assertThatExceptionOfType(Rejected.class).isThrownBy(() -> contract.refuse(7)).withMessage("refused with 7")
                .satisfies(e -> assertThat(e.code()).isEqualTo(7));
    }

    @Test
    void theDeadlineEndsASlowCall() {
        server();
        Contract contract = client().create(io.rpcboot.core.client.ReferenceConfig.builder(Contract.class)
                .timeout(Duration.ofMillis(200)).build());
        assertThatExceptionOfType(RpcTimeoutException.class).isThrownBy(() -> contract.slow(5_000));
    }

    @Test
    void aTypeOutsideTheAllowListIsRefused() {
        server();
        Contract contract = client().create(Contract.class);
        assertThat(contract.describe(List.of(1, 2))).isEqualTo("[1, 2]");
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> contract.describe(new Secret("x")))
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.BAD_REQUEST))
                .withMessageContaining(Secret.class.getName() + " is not allowed");
    }

    @Test
    void aRequestOverTheFrameLimitFailsOnlyItself() {
        server();
        Contract contract = client().create(Contract.class);
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> contract.size(new byte[100 * 1024]))
                .satisfies(e -> assertThat(e.status()).isEqualTo(RpcStatus.RESOURCE_EXHAUSTED))
                .withMessageContaining("rpc.server.max-frame-size");
        assertThat(contract.size(new byte[1024])).isEqualTo(1024);
    }
}
