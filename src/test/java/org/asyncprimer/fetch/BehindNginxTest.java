package org.asyncprimer.fetch;

import java.time.Duration;
import org.asyncprimer.it.NginxConf;
import org.junit.jupiter.api.Test;

/** The shipped nginx configuration waits longer than a /fetch is ever quiet: for its first chunk, or between two. */
class BehindNginxTest {

    @Test
    void nginxOutwaitsTheLongestTimeoutAndInterval() {
        NginxConf nginx = NginxConf.shipped();
        nginx.assertOutwaits("/fetch", Duration.ofMillis(FetchSettings.MAX_TIMEOUT_MS),
                "a long-poll for its first chunk");
        nginx.assertOutwaits("/fetch", Duration.ofMillis(FetchSettings.MAX_INTERVAL_MS), "the wait between chunks");
    }
}
