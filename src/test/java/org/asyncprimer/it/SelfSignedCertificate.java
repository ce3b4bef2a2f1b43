package org.asyncprimer.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} in a PKCS12 key store, made by the JDK's
 * keytool (the JDK has no public API to sign a certificate), for TLS test servers; and a TLS context that trusts
 * exactly that certificate, so clients still check the host name instead of trusting everything.
 */
public record SelfSignedCertificate(Path keyStore, String password, String alias) {

    /** The key store the build makes for the run command and the smoke test (see the pom's keytool execution). */
    public static SelfSignedCertificate of(Path keyStore, String password) {
        return new SelfSignedCertificate(keyStore, password, "localhost");
    }

    /** Generates a new key pair and certificate into {@code dir/localhost.p12}. */
    public static SelfSignedCertificate generate(Path dir) throws IOException, InterruptedException {
        SelfSignedCertificate certificate = of(dir.resolve("localhost.p12"), "changeit");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair",
                "-keystore", certificate.keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", certificate.password, "-keypass", certificate.password, "-alias", certificate.alias,
                "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost, O=async-primer test", "-ext", "SAN=dns:localhost,ip:127.0.0.1"))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return certificate;
    }

    /** A TLS context whose only trusted certificate is this one. */
    public SSLContext trustingIt() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry(alias, store.getCertificate(alias));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
