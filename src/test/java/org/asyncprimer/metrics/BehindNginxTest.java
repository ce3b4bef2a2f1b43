package org.asyncprimer.metrics;

import org.asyncprimer.it.NginxConf;
import org.junit.jupiter.api.Test;

/** The shipped nginx configuration waits longer than the dashboard's feed is quiet between two events. */
class BehindNginxTest {

    @Test
    void nginxOutwaitsTheFeedsInterval() {
        NginxConf.shipped().assertOutwaits("/status/stream", DashboardServlet.INTERVAL, "the dashboard's feed");
    }
}
