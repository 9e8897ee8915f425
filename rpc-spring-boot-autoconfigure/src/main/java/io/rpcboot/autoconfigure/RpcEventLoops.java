package io.rpcboot.autoconfigure;

import io.rpcboot.core.internal.reactor.EventLoopGroup;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;

/**
 * The application's rpc event loops: one group for the client, and a boss plus workers for the server
 * (created on first use, so a consumer-only application has none). Closed when the context closes,
 * after the client and the server that use them.
 */
public class RpcEventLoops implements DisposableBean {

    private final int clientThreads;
    private final int serverThreads;
    private @Nullable EventLoopGroup client;
    private @Nullable EventLoopGroup serverBoss;
    private @Nullable EventLoopGroup serverWorkers;

    public RpcEventLoops(int clientThreads, int serverThreads) {
        this.clientThreads = clientThreads;
        this.serverThreads = serverThreads;
    }

    public synchronized EventLoopGroup client() {
        if (client == null) {
            client = new EventLoopGroup("rpc-client-io", clientThreads, true);
        }
        return client;
    }

    public synchronized EventLoopGroup serverBoss() {
        if (serverBoss == null) {
            serverBoss = new EventLoopGroup("rpc-server-boss", 1, false);
        }
        return serverBoss;
    }

    public synchronized EventLoopGroup serverWorkers() {
        if (serverWorkers == null) {
            serverWorkers = new EventLoopGroup("rpc-server-io", serverThreads, false);
        }
        return serverWorkers;
    }

    @Override
    public synchronized void destroy() {
        for (EventLoopGroup group : new EventLoopGroup[] {serverBoss, serverWorkers, client}) {
            if (group != null) {
                group.close();
            }
        }
    }
}
