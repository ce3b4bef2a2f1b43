package org.asyncprimer.websocket;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;

/**
 * The benchmark's yardstick, never in the product WAR: the plainest JSR-356 echo, answering byte for byte what
 * {@link EchoEndpoint} answers (the same {@link PyRepr}) to every message the product accepts, so that
 * {@code src/bench/echo.sh} measures only what the product's plumbing costs on top of it. It blocks the thread that
 * delivered the message until its reply is written, and keeps no count, no queue and no close of its own: exactly
 * what the product must not do. {@code target/plain-echo.war} (built with the test classes, see pom.xml) holds it,
 * PyRepr and its table.
 */
@ServerEndpoint("/websocket")
public final class PlainEchoEndpoint {

    @OnMessage
    public void text(Session session, String message) throws IOException {
        session.getBasicRemote().sendText("Your message was: " + PyRepr.of(message));
    }

    @OnMessage
    public void binary(Session session, byte[] message) throws IOException {
        session.getBasicRemote().sendText("Your message was: " + PyRepr.ofByteArray(message));
    }

    /**
     * The product's default message limit (64 KiB, {@link WebSocketSettings}), so that the yardstick takes every
     * message the product takes. It is not free: Tomcat allocates each session's message buffers at this size.
     */
    @WebListener
    public static final class Limits implements ServletContextListener {

        @Override
        public void contextInitialized(ServletContextEvent event) {
            ServerContainer container = (ServerContainer) event.getServletContext()
                    .getAttribute(ServerContainer.class.getName());
            container.setDefaultMaxTextMessageBufferSize(65_536);
            container.setDefaultMaxBinaryMessageBufferSize(65_536);
        }
    }
}
