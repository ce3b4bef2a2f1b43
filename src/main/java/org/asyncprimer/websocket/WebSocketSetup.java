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
 * Applies {@link WebSocketSettings} to this application's WebSocket container (every session starts with them),
 * keeps them in the context for {@link OriginCheck#allows}, and prepares the {@link OriginCheck} verdict for each
 * handshake.
 */
@WebListener
public final class WebSocketSetup implements ServletContextListener, ServletRequestListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        WebSocketSettings settings = WebSocketSettings.from(event.getServletContext());
        settings.attachTo(event.getServletContext());
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
        // Every request, not only those with an Upgrade header: whether a request is a handshake is the container's
        // call, and the verdict must be there whenever it makes it.
        if (event.getServletRequest() instanceof HttpServletRequest request) {
            OriginCheck.decide(request);
            // Only a WebSocket handshake needs the App, and it ends on this thread (an h2c upgrade may go async and
            // end on another, which would leave an App, a class of ours, on this thread after undeploy).
            OriginCheck.handOver("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                    ? App.from(event.getServletContext()) : null);
        }
    }

    @Override
    public void requestDestroyed(ServletRequestEvent event) {
        OriginCheck.forget();
    }
}
