package io.rpcboot.autoconfigure.refs;

import io.rpcboot.annotation.RpcMethodOptions;

/** A service whose reads may be retried and whose writes may not; the only interface in this package. */
public interface Ledger {

    @RpcMethodOptions(timeout = "300ms", idempotent = true, retries = 1)
    String read(String key);

    String write(String key);
}
