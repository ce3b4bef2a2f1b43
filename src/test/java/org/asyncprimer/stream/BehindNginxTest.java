package org.asyncprimer.stream;

import java.time.Duration;
import org.asyncprimer.it.NginxConf;
import org.junit.jupiter.api.Test;

/** The shipped nginx configuration waits longer than /stream is ever quiet between its chunks. */
class BehindNginxTest {

    @Test
    void nginxOutwaitsTheLongestWaitBetweenChunks() {
        NginxConf nginx = NginxConf.shipped();
        nginx.assertOutwaits("/stream", Duration.ofMillis(StreamTimings.MAX_MS), "/stream");
        nginx.assertOutwaits("/stream/blocking", Duration.ofMillis(StreamTimings.MAX_MS), "/stream/blocking");
    }
}
