package io.rpcboot.test.autoconfigure.app.consumer;

import io.rpcboot.test.autoconfigure.app.Quotes;


import org.springframework.stereotype.Component;

/** A consumer of Quotes, as the application's web layer would be: through its reference bean. */
@Component
public class Ticker {
    private final Quotes quotes;

    public Ticker(Quotes quotes) {
        this.quotes = quotes;
    }

    public String tick(String symbol) throws Quotes.UnknownSymbolException {
        return quotes.quote(symbol);
    }
}
