package io.rpcboot.sample.api;

/** The smallest service there is. */
public interface GreetingService {

    String greet(String name);
}
