package io.rpcboot.core.protocol;

import java.util.Objects;

import io.rpcboot.core.serialize.BinaryReader;
import io.rpcboot.core.serialize.BinaryWriter;

/**
 * The body of a response whose status is not {@link Status#OK}: the error's type (for a
 * {@link Status#SERVICE_ERROR}, the exception's class name) and a message, two length-prefixed UTF-8
 * strings, whatever the frame's serialization id (which is 0 for such frames).
 */
public record ErrorBody(String type, String message) {

    public ErrorBody {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
    }

    public void writeTo(BinaryWriter out) {
        out.writeString(type);
        out.writeString(message);
    }

    public static ErrorBody readFrom(BinaryReader in) {
        return new ErrorBody(in.readString(), in.readString());
    }
}
