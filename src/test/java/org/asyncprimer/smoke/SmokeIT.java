package org.asyncprimer.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.asyncprimer.it.H2Client;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.SelfSignedCertificate;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real distribution: the packaged WAR in a standalone Tomcat 11 (the one {@code mvn package cargo:run}
 * uses), which {@code mvn verify} starts before the integration tests and stops after them; in the javax
 * execution, the javax WAR in a standalone Tomcat 9.
 */
class SmokeIT {

    private static URI base;
    private static URI tlsBase;

    @BeforeAll
    static void locate() {
        base = URI.create(property("asyncprimer.smoke.url"));
        tlsBase = URI.create(property("asyncprimer.smoke.tlsUrl"));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run this test with `mvn verify`, "
                    + "which starts the standalone Tomcat it checks");
        }
        return value;
    }

    @Test
    void servesTheIndexPage() throws Exception {
        Http.Response index = Http.get(base.resolve("/"));

        assertEquals(200, index.status());
        assertTrue(index.body().contains("href=\"stream.html\""), index.body());
    }

    @Test
    void streamsStartMiddleEnd() throws Exception {
        Http.Streamed response = Http.stream(base.resolve("/stream?first=200&second=200"));

        assertEquals(200, response.status());
        assertEquals(List.of("START", "MIDDLE", "END"), response.texts());
    }

    @Test
    void fetchesEveryLine() throws Exception {
        Http.Streamed response = Http.stream(base.resolve("/fetch?count=3&interval=50"));

        assertEquals(200, response.status());
        assertEquals(3, response.lines().size(), response.texts().toString());
        assertTrue(response.texts().get(2).startsWith("{\"seq\":3,\"of\":3,"), response.texts().get(2));
    }

    @Test
    void echoesOverWebSocket() throws Exception {
        try (WsClient client = WsClient.open(base)) {
            assertEquals("Your message was: 'Hello, world'", client.roundTrip("Hello, world"));
        }
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
