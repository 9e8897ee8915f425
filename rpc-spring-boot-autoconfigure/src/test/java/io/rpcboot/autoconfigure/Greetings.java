package io.rpcboot.autoconfigure;

import java.util.concurrent.CompletableFuture;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.annotation.RpcReference;

/** Services and beans the auto-configuration tests publish and inject. */
final class Greetings {

    private Greetings() {
    }

    public interface Greeter {
        String greet(String name);

        CompletableFuture<String> greetSlowly(String name, long millis);
    }

    public interface Counter {
        int next();
    }

    @RpcProvider
    public static class DefaultGreeter implements Greeter {
        public String greet(String name) {
            return "Hello, " + name + "!";
        }

        public CompletableFuture<String> greetSlowly(String name, long millis) {
            return CompletableFuture.supplyAsync(() -> greet(name),
                    CompletableFuture.delayedExecutor(millis, java.util.concurrent.TimeUnit.MILLISECONDS));
        }
    }

    @RpcProvider(version = "${greeter.version:2.0}")
    public static class VersionedGreeter implements Greeter {
        public String greet(String name) {
            return "v2 " + name;
        }

        public CompletableFuture<String> greetSlowly(String name, long millis) {
            return CompletableFuture.completedFuture(greet(name));
        }
    }

    @RpcProvider
    public static class NoInterface {
    }

    @RpcProvider
    public static class AnswerCounter implements Counter {
        public int next() {
            return 42;
        }
    }

    @RpcProvider
    public static class TwoInterfaces implements Greeter, Counter {
        public String greet(String name) {
            return name;
        }

        public CompletableFuture<String> greetSlowly(String name, long millis) {
            return CompletableFuture.completedFuture(name);
        }

        public int next() {
            return 1;
        }
    }

    @RpcProvider(interfaceClass = Counter.class)
    public static class ChosenInterface extends TwoInterfaces {
    }

    public static class Consumer {
        @RpcReference(timeout = "2s", loadBalancer = "least-active")
        Greeter greeter;

        @RpcReference(version = "${greeter.version:2.0}")
        Greeter versioned;
    }

    public static class BadConsumer {
        @RpcReference
        DefaultGreeter notAnInterface;
    }
}
