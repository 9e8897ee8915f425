package io.rpcboot.core.internal.protocol;

/**
 * A frame this side was about to send is larger than its own frame limit; nothing was sent, and
 * the connection is unaffected. The message names the property that sets the limit.
 */
public final class FrameTooLargeException extends ProtocolException {

    private static final long serialVersionUID = 1L;

    private final long frameSize;
    private final int limit;

    public FrameTooLargeException(long frameSize, int limit, String limitProperty) {
        super("frame of " + frameSize + " bytes exceeds the limit of " + limit + " bytes (" + limitProperty + ")");
        this.frameSize = frameSize;
        this.limit = limit;
    }

    public long frameSize() {
        return frameSize;
    }

    public int limit() {
        return limit;
    }
}
