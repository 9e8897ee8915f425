package io.rpcboot.autoconfigure.it;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.rpcboot.annotation.RpcProvider;

/** The service the two applications share. */
public interface Hello {

    String hello(String name);

    CompletableFuture<String> helloLater(String name, long millis);

    @RpcProvider
    class DefaultHello implements Hello {
        @Override
        public String hello(String name) {
            return "Hello, " + name + "!";
        }

        @Override
        public CompletableFuture<String> helloLater(String name, long millis) {
            return CompletableFuture.supplyAsync(() -> hello(name), CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        }
    }
}
