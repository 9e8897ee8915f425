package io.rpcboot.test.autoconfigure.app.consumer;

import io.rpcboot.test.autoconfigure.app.Quotes;

import io.rpcboot.autoconfigure.ImportRpcServices;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that calls Quotes ({@link Ticker}); it provides nothing. */
@SpringBootApplication
@ImportRpcServices(Quotes.class)
public class ConsumerApplication {
}
