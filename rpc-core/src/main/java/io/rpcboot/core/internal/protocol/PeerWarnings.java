package io.rpcboot.core.internal.protocol;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Warnings about a peer, at most one per peer host and reason every {@value #INTERVAL_SECONDS}
 * seconds: a hostile or broken peer cannot flood the log. The next warning says how many were held
 * back; the meters ({@code rpc.limits.exceeded}, {@code rpc.frames.malformed}) carry the full count.
 * Thread-safe; holds at most {@value #MAX_KEYS} peer/reason pairs (then starts afresh).
 */
public final class PeerWarnings {

    static final int INTERVAL_SECONDS = 10;
    static final int MAX_KEYS = 1024;

    private final Logger log;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public PeerWarnings(Logger log) {
        this.log = log;
    }

    /** Logs {@code message} (an SLF4J pattern) at WARN unless this peer and reason had one recently. */
    public void warn(SocketAddress peer, String reason, String message, Object... args) {
        if (!log.isWarnEnabled()) {
            return;
        }
        String key = hostOf(peer) + '|' + reason;
        if (windows.size() >= MAX_KEYS && !windows.containsKey(key)) {
            windows.clear();
        }
        Window w = windows.computeIfAbsent(key, k -> new Window());
        long now = System.nanoTime();
        long opens = w.nextNanos.get();
        if (now - opens < 0 || !w.nextNanos.compareAndSet(opens, now + TimeUnit.SECONDS.toNanos(INTERVAL_SECONDS))) {
            w.held.incrementAndGet();
            return;
        }
        long held = w.held.getAndSet(0);
        if (held > 0) {
            log.warn(message + " ({} more like it from this peer in the last {} s were not logged)",
                    append(args, held, INTERVAL_SECONDS));
        } else {
            log.warn(message, args);
        }
    }

    private static Object[] append(Object[] args, Object a, Object b) {
        Object[] all = new Object[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = a;
        all[args.length + 1] = b;
        return all;
    }

    private static String hostOf(SocketAddress peer) {
        return peer instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress()
                : String.valueOf(peer);
    }

    private static final class Window {
        final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
        final AtomicLong held = new AtomicLong();
    }
}
