package org.asyncprimer.websocket;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.asyncprimer.app.App;

/**
 * Refuses a WebSocket handshake from a foreign page with 403 (Cross-Site WebSocket Hijacking: a browser sends
 * the user's cookies with a cross-origin WebSocket handshake, and the same-origin policy does not apply).
 * Allowed: no {@code Origin} header at all (curl and other non-browser clients), the server's own
 * scheme://host:port, and the origins the deployer lists in {@code asyncprimer.websocket.allowedOrigins}
 * ({@code *}: any). {@code Origin: null} (a sandboxed page, a {@code file:} URL) is no origin of ours and is refused.
 *
 * <p>The rule is public for every request that changes state, not only handshakes: a feature that takes a
 * cross-site request with the user's cookies (a POST) asks {@link #allows(HttpServletRequest)} and refuses with
 * 403 when it says no, by the same rule and the same allow-list as the handshake.
 *
 * <p>{@link #checkOrigin} is the container's portable hook, but it sees only the Origin header, not the request
 * it has to be compared with. So {@link WebSocketSetup}, a request listener, decides with the whole request as
 * the request enters the application (before any filter: Jetty runs its upgrade filter ahead of the
 * application's) and leaves the verdict for this thread; both containers call {@code checkOrigin} on the thread
 * that runs the handshake. Without a verdict the check fails closed for any Origin.
 */
public final class OriginCheck extends ServerEndpointConfig.Configurator {

    /** Per-thread scratch for one handshake, set and cleared by {@link WebSocketSetup} around each request. */
    private static final ThreadLocal<Boolean> VERDICT = new ThreadLocal<>();
    /**
     * The same for the handshake's context, whose App and WebSocket settings the session's endpoint cannot reach
     * otherwise (it has no context).
     */
    private static final ThreadLocal<ServletContext> CONTEXT = new ThreadLocal<>();

    /**
     * Whether {@code request} may act on this application: it carries no Origin, its Origin is the request's own
     * scheme://host:port, or the deployer allows that origin. For a request of this application only.
     */
    public static boolean allows(HttpServletRequest request) {
        return allows(request.getHeader("Origin"), request.getScheme(), request.getHeader("Host"),
                WebSocketSettings.of(request.getServletContext()).allowedOrigins());
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return originHeaderValue == null || Boolean.TRUE.equals(VERDICT.get());
    }

    /**
     * The verdict for a handshake on this thread, decided for every request: an async request may end on another
     * thread than it began, so the verdict a thread holds is always that of the request it runs now.
     */
    static void decide(HttpServletRequest request) {
        VERDICT.set(allows(request));
    }

    /** Leaves the application's context for this thread's handshake; null clears it. */
    static void handOver(ServletContext context) {
        if (context == null) {
            CONTEXT.remove();
        } else {
            CONTEXT.set(context);
        }
    }

    /** Called on the handshake's thread after checkOrigin, with this session's own configuration. */
    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        ServletContext context = CONTEXT.get();
        if (context != null) {
            App.from(context).attachTo(config);
            WebSocketSettings.of(context).attachTo(config);
        }
    }

    static void forget() {
        VERDICT.remove();
        CONTEXT.remove();
    }

    /** The decision itself: the Origin against the request's own scheme, host and port, then the allow-list. */
    static boolean allows(String origin, String scheme, String hostHeader, Set<String> allowed) {
        if (origin == null) {
            return true;
        }
        if (allowed.contains("*") || allowed.contains(origin)) {
            return true;
        }
        try {
            URI page = URI.create(origin);
            URI self = URI.create(scheme + "://" + hostHeader);
            return page.getScheme() != null && page.getHost() != null && self.getHost() != null
                    && page.getScheme().equalsIgnoreCase(self.getScheme())
                    && page.getHost().toLowerCase(Locale.ROOT).equals(self.getHost().toLowerCase(Locale.ROOT))
                    && port(page) == port(self)
                    && (page.getPath() == null || page.getPath().isEmpty());
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
