package org.asyncprimer.chat;

import java.time.Duration;
import org.asyncprimer.it.NginxConf;
import org.junit.jupiter.api.Test;

/** The shipped nginx configuration waits longer than the chat's long-poll and SSE stream are ever quiet. */
class BehindNginxTest {

    @Test
    void nginxOutwaitsTheLongestPollAndTheHeartbeat() {
        NginxConf nginx = NginxConf.shipped();
        nginx.assertOutwaits("/chat/lobby", Duration.ofMillis(ChatQuery.MAX_TIMEOUT_MS), "a long-poll");
        nginx.assertOutwaits("/chat/lobby", Duration.ofMillis(ChatSettings.DEFAULT_HEARTBEAT_MS), "an SSE stream");
    }
}
