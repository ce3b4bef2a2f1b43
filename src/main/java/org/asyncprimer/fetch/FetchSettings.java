package org.asyncprimer.fetch;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.asyncprimer.app.QueryParams;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * What a /fetch client asks for: {@code ?count=} chunks (default 5, 1..1000) {@code ?interval=} ms apart
 * (default 1000, 0..60000), each padded with {@code ?pad=} filler characters (default 0, 0..65536) to make
 * backpressure easy to watch, and a long-poll {@code ?timeout=} in ms (default 30000, 1..300000): when nothing
 * has been produced by then the response is 204 and the client simply polls again. The planned duration,
 * count × interval + timeout, is at most {@link #MAX_PLANNED_MS}: each parameter alone is bounded, but their
 * product would let one client hold a response (and its memory) for 17 hours.
 */
record FetchSettings(int count, Duration interval, int pad, Duration timeout) {

    /** The longest a long-poll may wait for its first chunk: a proxy in front must wait longer. */
    static final int MAX_TIMEOUT_MS = 300_000;
    /** The longest between two chunks. */
    static final int MAX_INTERVAL_MS = 60_000;
    /** Ten minutes. */
    static final long MAX_PLANNED_MS = 600_000;

    static FetchSettings from(HttpServletRequest request) throws BadParameter {
        FetchSettings settings = new FetchSettings(
                QueryParams.bounded(request, "count", 5, 1, 1000),
                Duration.ofMillis(QueryParams.bounded(request, "interval", 1000, 0, MAX_INTERVAL_MS)),
                QueryParams.bounded(request, "pad", 0, 0, 65_536),
                Duration.ofMillis(QueryParams.bounded(request, "timeout", 30_000, 1, MAX_TIMEOUT_MS)));
        long planned = settings.planned().toMillis();
        if (planned > MAX_PLANNED_MS) {
            throw new BadParameter("count*interval+timeout must be at most " + MAX_PLANNED_MS
                    + " ms (10 minutes), got " + planned);
        }
        return settings;
    }

    /** The longest a well-behaved response can take: every interval, plus the long-poll wait. */
    Duration planned() {
        return interval.multipliedBy(count).plus(timeout);
    }
}
