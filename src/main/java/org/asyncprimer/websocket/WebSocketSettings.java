package org.asyncprimer.websocket;

import jakarta.servlet.ServletContext;
import jakarta.websocket.EndpointConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.asyncprimer.app.ContextParams;

/**
 * The deployer's limits for /websocket, read once from context parameters:
 * <ul>
 * <li>{@code asyncprimer.websocket.maxMessageBytes}: largest text or binary message (default 65536, 1..16777216);
 *     a larger one closes the session with 1009;
 * <li>{@code asyncprimer.websocket.idleTimeoutMs}: a session with no traffic for this long is closed
 *     (default 300000, 1000..86400000);
 * <li>{@code asyncprimer.websocket.sendTimeoutMs}: a reply the client has not taken in this long closes the
 *     session (default 10000, 100..600000);
 * <li>{@code asyncprimer.websocket.allowedOrigins}: comma-separated origins allowed besides the server's own,
 *     e.g. {@code https://app.example.com}, or {@code *} for any (default: none).
 * </ul>
 */
record WebSocketSettings(int maxMessageBytes, Duration idleTimeout, Duration sendTimeout, Set<String> allowedOrigins) {

    private static final String ATTRIBUTE = WebSocketSettings.class.getName();
    /** A session's idle timeout unless the context says otherwise: a proxy in front must wait longer. */
    static final int DEFAULT_IDLE_TIMEOUT_MS = 300_000;

    /** The settings {@link WebSocketSetup} read when this context started. */
    static WebSocketSettings of(ServletContext context) {
        WebSocketSettings settings = (WebSocketSettings) context.getAttribute(ATTRIBUTE);
        if (settings == null) {
            throw new IllegalStateException(WebSocketSetup.class.getName() + " has not initialised this context");
        }
        return settings;
    }

    void attachTo(ServletContext context) {
        context.setAttribute(ATTRIBUTE, this);
    }

    /** Hands the settings to a WebSocket session's endpoint, which has no context: see {@link #of(EndpointConfig)}. */
    void attachTo(EndpointConfig config) {
        config.getUserProperties().put(ATTRIBUTE, this);
    }

    /** The settings {@link OriginCheck} handed to this session's configuration at its handshake. */
    static WebSocketSettings of(EndpointConfig config) {
        WebSocketSettings settings = (WebSocketSettings) config.getUserProperties().get(ATTRIBUTE);
        if (settings == null) {
            throw new IllegalStateException("this session's handshake did not pass through the application");
        }
        return settings;
    }

    static WebSocketSettings from(ServletContext context) {
        return new WebSocketSettings(
                ContextParams.intParam(context, "asyncprimer.websocket.maxMessageBytes", 65_536, 1, 16 << 20),
                Duration.ofMillis(ContextParams.intParam(context, "asyncprimer.websocket.idleTimeoutMs",
                        DEFAULT_IDLE_TIMEOUT_MS, 1000, 86_400_000)),
                Duration.ofMillis(ContextParams.intParam(context, "asyncprimer.websocket.sendTimeoutMs",
                        10_000, 100, 600_000)),
                Arrays.stream(ContextParams.stringParam(context, "asyncprimer.websocket.allowedOrigins", "")
                                .split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()));
    }
}
