package io.rpcboot.core.serialize;

import io.rpcboot.core.SerializationException;

/** A read needed more bytes than the input holds: the input is truncated or a length is wrong. */
public final class EndOfInputException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final int offset;
    private final long needed;
    private final int left;

    public EndOfInputException(int offset, long needed, int left) {
        super("need " + needed + " bytes at offset " + offset + ", only " + left + " left");
        this.offset = offset;
        this.needed = needed;
        this.left = left;
    }

    /** Where the read started, from the start of the input. */
    public int offset() {
        return offset;
    }

    public long needed() {
        return needed;
    }

    public int left() {
        return left;
    }
}
