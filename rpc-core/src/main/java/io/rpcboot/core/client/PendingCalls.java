package io.rpcboot.core.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * The calls in flight on one connection, by request id. Ids on a connection count up, so a call
 * goes into slot {@code id & mask} of a fixed ring; only if that slot is still held by an older
 * call (more calls in flight than slots, or one call outliving many later ones) does it go to an
 * overflow map. The ring path takes no lock and allocates nothing (no boxed key, no map node).
 * Any thread may add and take; each call is taken at most once.
 */
final class PendingCalls<E extends PendingCalls.Entry> {

    /** What the table holds: something that knows its request id. */
    interface Entry {
        long requestId();
    }

    private final AtomicReferenceArray<E> ring;
    private final int mask;
    private final Map<Long, E> overflow = new ConcurrentHashMap<>();
    /** Calls in the table: counted after a put, before a take returns. */
    private final AtomicInteger size = new AtomicInteger();

    /** @param slots a power of two */
    PendingCalls(int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, was " + slots);
        }
        ring = new AtomicReferenceArray<>(slots);
        mask = slots - 1;
    }

    void put(E call) {
        if (!ring.compareAndSet((int) call.requestId() & mask, null, call)) {
            overflow.put(call.requestId(), call);
        }
        size.incrementAndGet();
    }

    /** Removes and returns the call with this id, or null if there is none (taken already, or never added). */
    @Nullable E take(long requestId) {
        int slot = (int) requestId & mask;
        E e = ring.get(slot);
        if (e != null && e.requestId() == requestId && ring.compareAndSet(slot, e, null)) {
            size.decrementAndGet();
            return e;
        }
        E other = overflow.isEmpty() ? null : overflow.remove(requestId);
        if (other != null) {
            size.decrementAndGet();
        }
        return other;
    }

    /**
     * How many calls are in flight. Exact once puts and takes have returned; a put and the count
     * that follows it are ordered like volatile accesses, which the caller reads rely on.
     */
    int size() {
        return size.get();
    }

    /** Whether no call is in flight. Scans the ring: for the rare moments that need it (draining). */
    boolean isEmpty() {
        if (!overflow.isEmpty()) {
            return false;
        }
        for (int i = 0; i < ring.length(); i++) {
            if (ring.get(i) != null) {
                return false;
            }
        }
        return true;
    }

    /** Removes and returns every call in flight. */
    List<E> takeAll() {
        List<E> all = new ArrayList<>();
        for (int i = 0; i < ring.length(); i++) {
            E e = ring.getAndSet(i, null);
            if (e != null) {
                size.decrementAndGet();
                all.add(e);
            }
        }
        for (Long id : overflow.keySet()) {
            E e = overflow.remove(id);
            if (e != null) {
                size.decrementAndGet();
                all.add(e);
            }
        }
        return all;
    }
}
