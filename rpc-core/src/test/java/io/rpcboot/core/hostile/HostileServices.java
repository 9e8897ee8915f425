package io.rpcboot.core.hostile;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the server under attack publishes. */
final class HostileServices {

    private HostileServices() {
    }

    record Line(String sku, int quantity, Optional<String> note, List<String> tags) {
    }

    interface Orders {
        String echo(String text);

        int count(List<Line> lines);

        String describe(Object value);

        String fail(int messageLength);

        CompletableFuture<String> echoLater(String text);

        CompletableFuture<Object> anything(String text);
    }

    static final class DefaultOrders implements Orders {
        @Override
        public String echo(String text) {
            return text;
        }

        @Override
        public int count(List<Line> lines) {
            return lines.size();
        }

        @Override
        public String describe(Object value) {
            return String.valueOf(value);
        }

        @Override
        public String fail(int messageLength) {
            throw new IllegalStateException("x".repeat(messageLength));
        }

        @Override
        public CompletableFuture<String> echoLater(String text) {
            return CompletableFuture.completedFuture(text);
        }

        @Override
        public CompletableFuture<Object> anything(String text) {
            return CompletableFuture.completedFuture(text);
        }
    }
}
