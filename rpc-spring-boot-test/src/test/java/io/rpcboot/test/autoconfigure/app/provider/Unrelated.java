package io.rpcboot.test.autoconfigure.app.provider;


import org.springframework.stereotype.Component;

/** Not a provider: a provider slice leaves it out. */
@Component
public class Unrelated {
}
