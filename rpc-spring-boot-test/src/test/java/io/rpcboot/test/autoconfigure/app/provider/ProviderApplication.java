package io.rpcboot.test.autoconfigure.app.provider;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that provides Quotes. */
@SpringBootApplication
public class ProviderApplication {
}
