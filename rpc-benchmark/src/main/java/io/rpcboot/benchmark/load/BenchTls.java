package io.rpcboot.benchmark.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.rpcboot.core.testing.TestCertificates;

/**
 * The TLS cells' certificates and settings, the same for every peer: one CA and one EC P-256 server
 * certificate (for 127.0.0.1), as PEM files in {@code bench.tls.dir} (default: a directory under
 * java.io.tmpdir) that {@link #generate()} writes once per run, before any server starts. Both peers
 * use TLS 1.3 with {@value #CIPHER}.
 */
public final class BenchTls {

    static final String PROTOCOL = "TLSv1.3";
    static final String CIPHER = "TLS_AES_128_GCM_SHA256";

    private BenchTls() {
    }

    static Path dir() {
        return Path.of(System.getProperty("bench.tls.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "rpc-boot-bench-tls").toString()));
    }

    static Path serverCertificate() {
        return dir().resolve("server.crt");
    }

    static Path serverKey() {
        return dir().resolve("server.key");
    }

    static Path caCertificate() {
        return dir().resolve("ca.crt");
    }

    /** A new CA and server certificate, replacing the previous run's. */
    public static void generate() throws IOException {
        Files.createDirectories(dir());
        TestCertificates ca = TestCertificates.authority("rpc-boot benchmark CA");
        ca.server("bench-server").writePem(dir(), "server");
        Files.writeString(caCertificate(), ca.pem());
    }

    static SSLContext serverContext() throws IOException, GeneralSecurityException {
        List<Certificate> chain = certificates(serverCertificate());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", privateKey(serverKey()), new char[0], chain.toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    static SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificates(caCertificate()).get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
