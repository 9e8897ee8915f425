package io.rpcboot.core.rpc;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.rpcboot.core.RpcRemoteException;
import io.rpcboot.core.client.ClientConfig;
import io.rpcboot.core.client.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** What a provider logs when its method throws: bugs with their stack trace, rate-limited; declared exceptions quietly. */
@Timeout(30)
class ProviderErrorLogTests {

    @RegisterExtension
    final RpcFixture fixture = new RpcFixture();

    private final Logger dispatcherLog = (Logger) LoggerFactory.getLogger("io.rpcboot.core.server.RequestDispatcher");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    interface Inventory {
        int count(String item) throws OutOfStock;
    }

    static final class OutOfStock extends Exception {
        OutOfStock(String item) {
            super(item + " is out of stock");
        }
    }

    @BeforeEach
    void capture() {
        events.start();
        dispatcherLog.addAppender(events);
        dispatcherLog.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        dispatcherLog.detachAppender(events);
        dispatcherLog.setLevel(null);
    }

    @Test
    void anUndeclaredExceptionIsLoggedWithItsStackTraceOnceAndTheRestHeldBack() {
        fixture.server(b -> b.service(Inventory.class, item -> {
            if (item.equals("gone")) {
                throw new OutOfStock(item);
            }
            return Math.floorDiv(item.length(), 0); // a bug: / by zero
        }));
        RpcClient client = fixture.client(ClientConfig.builder().ioThreads(1));
        Inventory inventory = client.create(Inventory.class);
        for (int i = 0; i < 3; i++) {
            assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> inventory.count("pen"))
                    .satisfies(e -> assertThat(e.remoteType()).isEqualTo(ArithmeticException.class.getName()));
        }
        assertThatExceptionOfType(RpcRemoteException.class).isThrownBy(() -> inventory.count("gone"));

        List<ILoggingEvent> warnings = events.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains(Inventory.class.getName() + ".count")
                    .contains(ArithmeticException.class.getName());
            assertThat(e.getThrowableProxy()).as("with its stack trace").isNotNull();
            assertThat(e.getThrowableProxy().getClassName()).isEqualTo(ArithmeticException.class.getName());
        });
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.DEBUG)
                .as("the two held back, and the declared exception").hasSize(3)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("is out of stock"));
    }
}
