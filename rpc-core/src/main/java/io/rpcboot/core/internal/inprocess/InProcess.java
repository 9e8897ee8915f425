package io.rpcboot.core.internal.inprocess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Addresses of the in-process transport: a server of this JVM listens on a Unix-domain socket in a
 * directory of its own under the JVM's temporary directory, and announces itself as
 * {@value #HOST}{@code :<id>}. No TCP port is opened; what travels is the same frames, through the
 * same connection, codec, limits and back-pressure as over TCP. Thread-safe.
 */
public final class InProcess {

    /** The host an in-process server announces; its "port" is its id in this JVM. */
    public static final String HOST = "in-process";

    private static final AtomicInteger IDS = new AtomicInteger();
    private static volatile @Nullable Path directory;

    private InProcess() {
    }

    public static boolean isInProcess(String host) {
        return HOST.equals(host);
    }

    /** A new server id of this JVM, 1..65535 (wrapping after that). */
    public static int allocate() {
        return 1 + Math.floorMod(IDS.getAndIncrement(), 65535);
    }

    /** The socket of the in-process server with this id. */
    public static UnixDomainSocketAddress address(int id) {
        return UnixDomainSocketAddress.of(directory().resolve(id + ".sock"));
    }

    private static Path directory() {
        Path d = directory;
        if (d == null) {
            synchronized (InProcess.class) {
                d = directory;
                if (d == null) {
                    try {
                        d = Files.createTempDirectory("rpc-boot-");
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot make the in-process transport's directory", e);
                    }
                    d.toFile().deleteOnExit();
                    directory = d;
                }
            }
        }
        return d;
    }
}
