package org.asyncprimer.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.asyncprimer.it.Http;
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

    @BeforeAll
    static void locate() {
        base = URI.create(property("asyncprimer.smoke.url"));
    }

    static String property(String name) {
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
}
