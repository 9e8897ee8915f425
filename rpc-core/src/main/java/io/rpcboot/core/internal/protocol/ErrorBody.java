package io.rpcboot.core.internal.protocol;

import io.rpcboot.core.RpcStatus;

import java.util.Objects;

import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinaryWriter;

/**
 * The body of a response whose status is not {@link RpcStatus#OK}: the error's type (for a
 * {@link RpcStatus#SERVICE_ERROR}, the exception's class name) and a message, two length-prefixed UTF-8
 * strings, whatever the frame's serialization id (which is 0 for such frames).
 */
public record ErrorBody(String type, String message) {

    public ErrorBody {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    /** Longest error type name sent, in characters; longer ones are cut. */
    public static final int MAX_TYPE_CHARS = 256;
    /** Longest error message sent, in characters; longer ones are cut and marked. */
    public static final int MAX_MESSAGE_CHARS = 512;
    /** The most bytes a {@link #bounded} body takes: both strings at 3 UTF-8 bytes a character, the cut mark, the lengths. */
    public static final int MAX_BYTES = 3 * (MAX_TYPE_CHARS + MAX_MESSAGE_CHARS) + 128;

    /**
     * An error body whose text fits a few KiB whatever it was built from: text the server generates
     * (which may quote a peer's input, or an exception's message) is cut to
     * {@value #MAX_MESSAGE_CHARS} characters and the type to {@value #MAX_TYPE_CHARS}, so an error
     * response never approaches the frame limit.
     */
    public static ErrorBody bounded(String type, String message) {
        return new ErrorBody(cut(type, MAX_TYPE_CHARS), cut(message, MAX_MESSAGE_CHARS));
    }

    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "... (" + (text.length() - end) + " more characters)";
    }

    public void writeTo(BinaryWriter out) {
        out.writeString(type);
        out.writeString(message);
    }

    public static ErrorBody readFrom(BinaryReader in) {
        return new ErrorBody(in.readString(), in.readString());
    }
}
