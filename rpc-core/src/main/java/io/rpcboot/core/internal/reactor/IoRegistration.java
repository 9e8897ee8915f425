package io.rpcboot.core.internal.reactor;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel registered with one {@link EventLoop}: its interest set and its handler. Every method
 * but {@link #addInterest} and {@link #removeInterest} must be called on the loop's thread (it
 * checks, and throws {@link IllegalStateException} otherwise); code on other threads submits a task
 * with {@link EventLoop#execute}.
 */
public final class IoRegistration {

    private static final Logger log = LoggerFactory.getLogger(IoRegistration.class);

    private final EventLoop loop;
    private final SelectionKey key;
    private IoHandler handler; // loop thread only

    IoRegistration(EventLoop loop, SelectionKey key, IoHandler handler) {
        this.loop = loop;
        this.key = key;
        this.handler = handler;
    }

    public EventLoop eventLoop() {
        return loop;
    }

    public SelectableChannel channel() {
        return key.channel();
    }

    /** Whether the registration is still active (not cancelled, channel and selector open). */
    public boolean isValid() {
        return key.isValid();
    }

    public int interestOps() {
        loop.checkInEventLoop();
        return key.isValid() ? key.interestOps() : 0;
    }

    /** Replaces the interest set; a no-op once cancelled. */
    public void interestOps(int ops) {
        loop.checkInEventLoop();
        try {
            if (key.isValid() && key.interestOps() != ops) {
                key.interestOps(ops);
            }
        } catch (CancelledKeyException | ClosedSelectorException ignored) {
            // cancelled concurrently by the channel's close, or the loop's: nothing left to change
        }
    }

    /**
     * Adds {@code ops} to the interest set. Atomic, and callable from any thread (a caller reading
     * its own response gives reading back to the loop this way): from another thread the change
     * takes effect at the loop's next select, which this does not wake.
     */
    public void addInterest(int ops) {
        try {
            if (key.isValid()) {
                key.interestOpsOr(ops);
            }
        } catch (CancelledKeyException | ClosedSelectorException ignored) {
            // cancelled concurrently by the channel's close, or the loop's: nothing left to change
        }
    }

    /** Removes {@code ops} from the interest set; atomic, any thread, as {@link #addInterest}. */
    public void removeInterest(int ops) {
        try {
            if (key.isValid()) {
                key.interestOpsAnd(~ops);
            }
        } catch (CancelledKeyException | ClosedSelectorException ignored) {
            // as above
        }
    }

    /** Swaps the handler, e.g. from a connect handler to the connection once connected. */
    public void handler(IoHandler newHandler) {
        loop.checkInEventLoop();
        this.handler = newHandler;
    }

    IoHandler handler() {
        return handler;
    }

    /** Deregisters from the selector; the channel stays open. Idempotent. */
    public void cancel() {
        key.cancel();
    }

    /** Deregisters and closes the channel. Idempotent; a failure to close is logged, not thrown. */
    public void cancelAndClose() {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            log.debug("closing {} failed", key.channel(), e);
        }
    }
}
