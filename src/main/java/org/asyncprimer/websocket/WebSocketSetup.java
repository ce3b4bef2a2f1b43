package org.asyncprimer.websocket;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRequestEvent;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.server.ServerContainer;
import org.asyncprimer.app.App;

/**
 * Applies {@link WebSocketSettings} to this application's WebSocket container (every session starts with them)
 * and prepares the {@link OriginCheck} verdict for each handshake.
 */
@WebListener
public final class WebSocketSetup implements ServletContextListener, ServletRequestListener {

    private volatile WebSocketSettings settings;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        settings = WebSocketSettings.from(event.getServletContext());
        ServerContainer container = (ServerContainer) event.getServletContext()
                .getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("this container offers no Jakarta WebSocket support");
        }
        // Standard per-container defaults, so the limits hold on every container without its own API.
        container.setDefaultMaxTextMessageBufferSize(settings.maxMessageBytes());
        container.setDefaultMaxBinaryMessageBufferSize(settings.maxMessageBytes());
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
        if (event.getServletRequest() instanceof HttpServletRequest request
                && request.getHeader("Upgrade") != null && settings != null) {
            OriginCheck.decide(request, settings.allowedOrigins());
            OriginCheck.handOver(App.from(event.getServletContext()));
        }
    }

    @Override
    public void requestDestroyed(ServletRequestEvent event) {
        OriginCheck.forget();
    }
}
