package io.rpcboot.sample.provider;

import io.rpcboot.annotation.RpcProvider;
import io.rpcboot.sample.api.GreetingService;
import org.springframework.stereotype.Service;

@Service
@RpcProvider
public class FriendlyGreetingService implements GreetingService {

    @Override
    public String greet(String name) {
        return "Hello, " + name + "! (served by rpc-boot)";
    }
}
