package org.asyncprimer.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.asyncprimer.smoke.SmokeIT.property;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.asyncprimer.it.H2Client;
import org.asyncprimer.it.SelfSignedCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 in the run command's standalone Tomcat 11, which {@code mvn verify} starts for {@link SmokeIT}: h2c on its
 * HTTP port, h2 over TLS on its TLS port with the certificate the build made. (The javax run's Tomcat 9 is only
 * smoke-tested over HTTP/1.1: HTTP/2 is the container's business, proven on the Jakarta containers.)
 */
class SmokeH2IT {

    private static URI base;
    private static URI tlsBase;

    @BeforeAll
    static void locate() {
        base = URI.create(property("asyncprimer.smoke.url"));
        tlsBase = URI.create(property("asyncprimer.smoke.tlsUrl"));
    }

    @Test
    void streamsOverH2cWithPriorKnowledge() throws Exception {
        try (H2Client h2 = H2Client.priorKnowledge()) {
            H2Client.Response response = h2.stream(base.resolve("/stream?first=200&second=200"));

            assertEquals("HTTP/2.0", response.version());
            assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
        }
    }

    @Test
    void streamsOverH2WithTls() throws Exception {
        // The certificate the build made for the run command; the client checks it and the host name against it.
        SelfSignedCertificate certificate = SelfSignedCertificate.of(
                Path.of(property("asyncprimer.smoke.keystore")), property("asyncprimer.smoke.keystorePassword"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(certificate.trustingIt()).build();

        HttpResponse<java.util.stream.Stream<String>> response = client.send(
                HttpRequest.newBuilder(tlsBase.resolve("/stream?first=200&second=200")).build(),
                HttpResponse.BodyHandlers.ofLines());

        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(List.of("START", "MIDDLE", "END"), response.body().toList());
    }
}
