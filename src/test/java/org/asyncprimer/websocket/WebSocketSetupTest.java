package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

/** Which requests get the application handed over for a WebSocket handshake: every one the container may upgrade. */
class WebSocketSetupTest {

    @Test
    void anUpgradeNamingWebsocketAmongItsTokensIsAHandshake() {
        assertTrue(WebSocketSetup.isHandshake(request("GET", "websocket")));
        assertTrue(WebSocketSetup.isHandshake(request("GET", "WebSocket")));
        assertTrue(WebSocketSetup.isHandshake(request("GET", "foo, websocket")));
        assertTrue(WebSocketSetup.isHandshake(request("GET", "websocket , h2c")));
    }

    @Test
    void anExtendedConnectIsAHandshake() {
        assertTrue(WebSocketSetup.isHandshake(request("CONNECT", null))); // WebSocket over HTTP/2, RFC 8441
    }

    @Test
    void otherRequestsAreNot() {
        assertFalse(WebSocketSetup.isHandshake(request("GET", null)));
        assertFalse(WebSocketSetup.isHandshake(request("GET", "h2c")));
        assertFalse(WebSocketSetup.isHandshake(request("POST", "websockets")));
    }

    private static HttpServletRequest request(String method, String upgrade) {
        return (HttpServletRequest) Proxy.newProxyInstance(WebSocketSetupTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, call, args) -> switch (call.getName()) {
                    case "getMethod" -> method;
                    case "getHeader" -> "Upgrade".equalsIgnoreCase((String) args[0]) ? upgrade : null;
                    default -> throw new UnsupportedOperationException(call.getName());
                });
    }
}
