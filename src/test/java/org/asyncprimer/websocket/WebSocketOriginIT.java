package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawWebSocket;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Which pages may open /websocket: {@link OriginCheck} on every container, with an allow-list and with {@code *}. */
@OnEveryContainer
class WebSocketOriginIT {

    private static final String KEY = "Sec-WebSocket-Key: YXN5bmMtcHJpbWVyLWtleQ==";

    @Parameter
    Container container;

    /** Allows two origins besides its own. */
    private Deployment app;
    /** Allows any origin. */
    private Deployment open;

    @BeforeParameterizedClassInvocation
    void deploy() throws Exception {
        app = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                "asyncprimer.websocket.allowedOrigins", "https://app.example, https://other.example")));
        open = Deployment.start(container, ServerOptions.defaults().withContextParams(Map.of(
                "asyncprimer.websocket.allowedOrigins", "*")));
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        for (Deployment deployment : new Deployment[] {app, open}) {
            if (deployment != null) {
                deployment.stop();
            }
        }
    }

    @Test
    void refusesAHandshakeFromAForeignOrigin() {
        assertRefused(app.base(), "http://evil.example");
    }

    @Test
    void refusesAnOriginThatDiffersOnlyInPort() {
        assertRefused(app.base(), "http://127.0.0.1:" + (app.base().getPort() + 1));
    }

    @Test
    void refusesTheNullOrigin() {
        // What a sandboxed iframe or a file: page sends: no origin of ours, whoever it is.
        assertRefused(app.base(), "null");
    }

    @Test
    void acceptsTheServersOwnOrigin() throws Exception {
        assertAccepted(app.base(), "http://127.0.0.1:" + app.base().getPort());
    }

    @Test
    void acceptsAHandshakeWithoutOrigin() throws Exception {
        assertAccepted(app.base(), null);
    }

    @Test
    void acceptsTheOriginsTheDeployerLists() throws Exception {
        assertAccepted(app.base(), "https://app.example");
        assertAccepted(app.base(), "https://other.example");
    }

    @Test
    void acceptsAnyOriginWhenTheListIsAStar() throws Exception {
        assertAccepted(open.base(), "http://evil.example");
        assertAccepted(open.base(), "null");
    }

    @Test
    void answersAPlainRequestWithAForeignOriginAsAnyPlainRequest() throws Exception {
        // The verdict is decided for every request, and matters only to a handshake.
        Http.Response plain = Http.get(app.uri("/websocket"), "Accept", "*/*", "Origin", "http://evil.example");
        assertEquals(400, plain.status());
        assertEquals("Expected WebSocket request.", plain.body());

        Http.Response page = Http.get(app.uri("/websocket"), "Accept", "text/html", "Origin", "http://evil.example");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("new WebSocket("), "the demo page");
    }

    @Test
    void treatsAHandshakeWithoutAnUpgradeHeaderAsAPlainRequest() throws Exception {
        // Everything a handshake carries but the Upgrade header: no container upgrades it, the servlet answers.
        for (String origin : new String[] {"http://evil.example", "http://127.0.0.1:" + app.base().getPort()}) {
            assertEquals(400, RawWebSocket.status(app.base(), "Connection: Upgrade", KEY,
                    "Sec-WebSocket-Version: 13", "Origin: " + origin, "Accept: */*"), origin);
        }
        assertEquals(403, RawWebSocket.status(app.base(), "Upgrade: websocket", "Connection: Upgrade", KEY,
                "Sec-WebSocket-Version: 13", "Origin: http://evil.example"), "with the header: a refused handshake");
    }

    private static void assertRefused(URI base, String origin) {
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> WsClient.connect(base, origin).get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException handshake = assertInstanceOf(WebSocketHandshakeException.class,
                refused.getCause());
        assertEquals(403, handshake.getResponse().statusCode(), "Origin: " + origin);
    }

    private static void assertAccepted(URI base, String origin) throws Exception {
        try (WsClient client = WsClient.connect(base, origin).get(10, TimeUnit.SECONDS)) {
            assertEquals("Your message was: 'hi'", client.roundTrip("hi"), "Origin: " + origin);
        }
    }
}
