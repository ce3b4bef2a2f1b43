package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OriginCheckTest {

    @ParameterizedTest(name = "{0} on {1}://{2}: {3}")
    @CsvSource(nullValues = "NONE", textBlock = """
        NONE,                        http,  127.0.0.1:8080,   true
        http://127.0.0.1:8080,       http,  127.0.0.1:8080,   true
        http://EXAMPLE.com,          http,  example.com:80,   true
        https://example.com,         https, example.com,      true
        http://evil.example,         http,  127.0.0.1:8080,   false
        http://127.0.0.1:8081,       http,  127.0.0.1:8080,   false
        https://127.0.0.1:8080,      http,  127.0.0.1:8080,   false
        http://127.0.0.1:8080/page,  http,  127.0.0.1:8080,   false
        null,                        http,  127.0.0.1:8080,   false
        http://[::1,                 http,  127.0.0.1:8080,   false
        """)
    void allowsNoOriginAndTheServersOwnOnly(String origin, String scheme, String host, boolean allowed) {
        assertEquals(allowed, OriginCheck.allows(origin, scheme, host, Set.of()));
    }

    @Test
    void allowsWhatTheDeployerLists() {
        Set<String> listed = Set.of("https://app.example");

        assertTrue(OriginCheck.allows("https://app.example", "http", "127.0.0.1:8080", listed));
        assertFalse(OriginCheck.allows("https://other.example", "http", "127.0.0.1:8080", listed));
        assertTrue(OriginCheck.allows("null", "http", "127.0.0.1:8080", Set.of("*")), "* is any origin");
    }

    @Test
    void decidesARequestWithTheAllowListOfItsContext() {
        ServletContext context = context();
        new WebSocketSettings(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Set.of("https://app.example"))
                .attachTo(context);

        assertTrue(OriginCheck.allows(request(context, "https://app.example")));
        assertTrue(OriginCheck.allows(request(context, "http://127.0.0.1:8080")));
        assertTrue(OriginCheck.allows(request(context, null)));
        assertFalse(OriginCheck.allows(request(context, "http://evil.example")));
    }

    @Test
    void decidesTheVerdictForEveryRequestNotOnlyThoseWithAnUpgradeHeader() {
        ServletContext context = context();
        new WebSocketSettings(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Set.of()).attachTo(context);
        WebSocketSetup setup = new WebSocketSetup();
        OriginCheck check = new OriginCheck();

        ServletRequestEvent own = new ServletRequestEvent(context, request(context, "http://127.0.0.1:8080"));
        setup.requestInitialized(own); // no Upgrade header: whether it is a handshake is the container's call
        assertTrue(check.checkOrigin("http://127.0.0.1:8080"));
        setup.requestDestroyed(own);
        assertFalse(check.checkOrigin("http://127.0.0.1:8080"), "no verdict: closed");

        ServletRequestEvent foreign = new ServletRequestEvent(context, request(context, "http://evil.example"));
        setup.requestInitialized(foreign);
        assertFalse(check.checkOrigin("http://evil.example"));
        assertTrue(check.checkOrigin(null), "no Origin, no question");
        setup.requestDestroyed(foreign);
    }

    @Test
    void failsLoudlyInAContextThatWebSocketSetupHasNotInitialised() {
        assertThrows(IllegalStateException.class, () -> OriginCheck.allows(request(context(), "http://evil.example")));
    }

    /** A POST to http://127.0.0.1:8080 with {@code origin} (null: none). */
    private static HttpServletRequest request(ServletContext context, String origin) {
        return fake(HttpServletRequest.class, (name, args) -> switch (name) {
            case "getHeader" -> switch (((String) args[0]).toLowerCase(Locale.ROOT)) {
                case "origin" -> origin;
                case "host" -> "127.0.0.1:8080";
                default -> null;
            };
            case "getScheme" -> "http";
            case "getMethod" -> "POST";
            case "getServletContext" -> context;
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private static ServletContext context() {
        Map<String, Object> attributes = new HashMap<>();
        return fake(ServletContext.class, (name, args) -> switch (name) {
            case "getAttribute" -> attributes.get((String) args[0]);
            case "setAttribute" -> attributes.put((String) args[0], args[1]);
            default -> throw new UnsupportedOperationException(name);
        });
    }

    private interface Call {
        Object answer(String method, Object[] args);
    }

    private static <T> T fake(Class<T> type, Call call) {
        return type.cast(Proxy.newProxyInstance(OriginCheckTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> call.answer(method.getName(), args)));
    }
}
