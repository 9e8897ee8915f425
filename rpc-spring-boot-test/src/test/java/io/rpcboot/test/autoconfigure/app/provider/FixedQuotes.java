package io.rpcboot.test.autoconfigure.app.provider;

import io.rpcboot.test.autoconfigure.app.Quotes;


import io.rpcboot.annotation.RpcProvider;
import org.springframework.stereotype.Service;

@Service
@RpcProvider
public class FixedQuotes implements Quotes {
    @Override
    public String quote(String symbol) throws UnknownSymbolException {
        if (!symbol.equals("RPC")) {
            throw new UnknownSymbolException(symbol);
        }
        return "RPC 42.00";
    }
}
