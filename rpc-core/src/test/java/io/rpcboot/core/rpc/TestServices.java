package io.rpcboot.core.rpc;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The services the end-to-end tests publish and call. */
final class TestServices {

    private TestServices() {
    }

    record Item(String name, int quantity, Optional<String> note) {
    }

    interface Calculator {
        int add(int a, int b);

        long add(long a, long b);

        String add(String a, String b);

        int divide(int a, int b);

        CompletableFuture<Integer> addLater(int a, int b);

        void reset();

        List<Item> items(Map<String, Integer> quantities, String note);
    }

    static final class DefaultCalculator implements Calculator {
        volatile int resets;

        public int add(int a, int b) {
            return a + b;
        }

        public long add(long a, long b) {
            return a + b + 1_000_000_000_000L;
        }

        public String add(String a, String b) {
            return a == null || b == null ? "null:" + a + ":" + b : a + b;
        }

        public int divide(int a, int b) {
            if (b == 0) {
                throw new ArithmeticException("b must not be zero");
            }
            return a / b;
        }

        public CompletableFuture<Integer> addLater(int a, int b) {
            return CompletableFuture.supplyAsync(() -> a + b);
        }

        public void reset() {
            resets++;
        }

        public List<Item> items(Map<String, Integer> quantities, String note) {
            return quantities.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> new Item(e.getKey(), e.getValue(), Optional.ofNullable(note))).toList();
        }
    }

    interface Echo {
        byte[] echo(byte[] payload);

        String whoAmI();

        String slow(long millis);

        CompletableFuture<String> slowAsync(long millis);
    }

    /** Answers with its own name, so tests see which instance served a call. */
    static class NamedEcho implements Echo {
        final String name;
        final long delayMillis;

        NamedEcho(String name, long delayMillis) {
            this.name = name;
            this.delayMillis = delayMillis;
        }

        public byte[] echo(byte[] payload) {
            return payload;
        }

        public String whoAmI() {
            pause(delayMillis);
            return name;
        }

        public String slow(long millis) {
            pause(millis);
            return name;
        }

        public CompletableFuture<String> slowAsync(long millis) {
            return CompletableFuture.supplyAsync(() -> slow(millis));
        }

        /** Simulated work inside the provider (not test synchronisation). */
        static void pause(long millis) {
            if (millis <= 0) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000);
        }
    }
}
