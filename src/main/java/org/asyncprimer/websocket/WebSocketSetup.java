package org.asyncprimer.websocket;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.server.ServerContainer;

/**
 * Applies {@link WebSocketSettings} to this application's WebSocket container and its sessions,
 * keeps them in the context for {@link OriginCheck#allows}, and prepares the {@link OriginCheck} verdict for each
 * handshake.
 */
@WebListener
public final class WebSocketSetup implements ServletContextListener, ServletRequestListener {

    /** The container's default text limit: small, because every endpoint sets its own when it opens. */
    static final int DEFAULT_TEXT_BYTES = 128;
    /**
     * The container's default binary limit, Tomcat's own default: Tomcat passes every text frame through the binary
     * buffer on its way to UTF-8 and resizes that buffer only when a binary message starts, so for a session that
     * sends only text this is the buffer its text goes through. It is the chat socket's binary limit too.
     */
    static final int DEFAULT_BINARY_BYTES = 8 * 1024;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        WebSocketSettings settings = WebSocketSettings.from(event.getServletContext());
        settings.attachTo(event.getServletContext());
        ServerContainer container = (ServerContainer) event.getServletContext()
                .getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("this container offers no Jakarta WebSocket support");
        }
        // Each endpoint sets its own text limit when it opens (the chat socket a publish body, the echo
        // maxMessageBytes, and its binary limit too). Tomcat gives every session its buffers at the default limits
        // when the connection upgrades, before onOpen (WsFrameBase: a CharBuffer of the text limit, two bytes a char,
        // and a ByteBuffer of the binary limit), and replaces one when a message of its kind starts under another
        // limit: so a session holds its text limit's buffer from its first text on, and a chat subscriber, which
        // rarely sends, holds 8 KiB of these buffers where the chat's 16 KiB as the default held 48 KiB.
        container.setDefaultMaxTextMessageBufferSize(DEFAULT_TEXT_BYTES);
        container.setDefaultMaxBinaryMessageBufferSize(DEFAULT_BINARY_BYTES);
        container.setDefaultMaxSessionIdleTimeout(settings.idleTimeout().toMillis());
        // Jetty 9.4 refuses a send timeout longer than the idle timeout (IllegalArgumentException: the context
        // would not start), so the shorter of the two applies everywhere.
        container.setAsyncSendTimeout(Math.min(settings.sendTimeout().toMillis(), settings.idleTimeout().toMillis()));
    }

    /** Nothing to release; implemented anyway because Servlet 3.1 (Tomcat 8.5, Jetty 9.4) has no default for it. */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
    }

    @Override
    public void requestInitialized(ServletRequestEvent event) {
        // Every request, not only those with an Upgrade header: whether a request is a handshake is the container's
        // call, and the verdict must be there whenever it makes it.
        if (event.getServletRequest() instanceof HttpServletRequest request) {
            OriginCheck.decide(request);
            // Only a WebSocket handshake needs the context (its App and settings), and it ends on this thread (an
            // h2c upgrade may go async and end on another, which would leave the context on this thread after
            // undeploy).
            OriginCheck.handOver(isHandshake(request) ? event.getServletContext() : null);
        }
    }

    /**
     * An HTTP/1.1 Upgrade whose header names websocket among its tokens (as Tomcat's and Jetty's checks do), or an
     * extended CONNECT (WebSocket over HTTP/2, RFC 8441, which Jetty 12 accepts).
     */
    static boolean isHandshake(HttpServletRequest request) {
        if ("CONNECT".equals(request.getMethod())) {
            return true;
        }
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null) {
            return false;
        }
        for (String token : upgrade.split(",")) {
            if (token.trim().equalsIgnoreCase("websocket")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void requestDestroyed(ServletRequestEvent event) {
        OriginCheck.forget();
    }
}
