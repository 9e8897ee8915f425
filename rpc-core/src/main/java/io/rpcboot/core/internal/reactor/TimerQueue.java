package io.rpcboot.core.internal.reactor;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * A binary min-heap of {@link Timeout}s that knows each entry's index, so a cancelled timer is
 * removed in O(log n) instead of lingering until its deadline. Loop thread only.
 */
final class TimerQueue {

    private Timeout[] heap = new Timeout[64];
    private int size;

    int size() {
        return size;
    }

    @Nullable Timeout peek() {
        return size == 0 ? null : heap[0];
    }

    void add(Timeout t) {
        if (t.heapIndex >= 0) {
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, t);
    }

    Timeout poll() {
        Timeout top = heap[0];
        removeAt(0);
        return top;
    }

    void remove(Timeout t) {
        int i = t.heapIndex;
        if (i >= 0 && i < size && heap[i] == t) {
            removeAt(i);
        }
    }

    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }

    private void removeAt(int i) {
        Timeout removed = heap[i];
        removed.heapIndex = -1;
        Timeout last = heap[--size];
        heap[size] = null;
        if (i == size) {
            return;
        }
        siftDown(i, last);
        if (heap[i] == last) {
            siftUp(i, last);
        }
    }

    private void siftUp(int i, Timeout t) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timeout p = heap[parent];
            if (!t.before(p)) {
                break;
            }
            place(i, p);
            i = parent;
        }
        place(i, t);
    }

    private void siftDown(int i, Timeout t) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(t)) {
                break;
            }
            place(i, heap[child]);
            i = child;
        }
        place(i, t);
    }

    private void place(int i, Timeout t) {
        heap[i] = t;
        t.heapIndex = i;
    }
}
