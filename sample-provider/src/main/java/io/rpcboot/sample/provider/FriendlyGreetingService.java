package io.rpcboot.sample.provider;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.sample.api.GreetingService;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

@Service
@RpcProvider
public class FriendlyGreetingService implements GreetingService {

    private final String instance;

    public FriendlyGreetingService(@Value("${sample.instance:provider}") String instance) {
        this.instance = instance;
    }

    @Override
    public String greet(String name) {
        return "Hello, " + name + "! (served by rpc-boot, " + instance + ")";
    }
}
