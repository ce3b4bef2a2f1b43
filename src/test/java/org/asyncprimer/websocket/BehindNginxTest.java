package org.asyncprimer.websocket;

import java.time.Duration;
import org.asyncprimer.it.NginxConf;
import org.junit.jupiter.api.Test;

/**
 * The shipped nginx configuration waits longer than a WebSocket, the echo's or a chat's, may be quiet before the
 * node's own idle timeout ends it (the node sends no pings).
 */
class BehindNginxTest {

    @Test
    void nginxOutwaitsTheIdleTimeout() {
        NginxConf nginx = NginxConf.shipped();
        Duration idle = Duration.ofMillis(WebSocketSettings.DEFAULT_IDLE_TIMEOUT_MS);
        nginx.assertOutwaits("/websocket", idle, "an echo WebSocket");
        nginx.assertOutwaits("/chat/lobby/socket", idle, "a chat WebSocket");
    }
}
