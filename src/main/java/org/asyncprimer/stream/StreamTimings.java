package org.asyncprimer.stream;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.asyncprimer.app.QueryParams;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * How long /stream waits before MIDDLE ({@code ?first=}) and then before END ({@code ?second=}),
 * in milliseconds: the seed's 3000 and 5000 by default, each 0..60000.
 */
record StreamTimings(Duration first, Duration second) {

    static final int MAX_MS = 60_000;

    static StreamTimings from(HttpServletRequest request) throws BadParameter {
        return new StreamTimings(
                Duration.ofMillis(QueryParams.bounded(request, "first", 3000, 0, MAX_MS)),
                Duration.ofMillis(QueryParams.bounded(request, "second", 5000, 0, MAX_MS)));
    }

    /** The wait before chunk {@code index} (0 = START, written at once). */
    Duration before(int index) {
        return switch (index) {
            case 0 -> Duration.ZERO;
            case 1 -> first;
            default -> second;
        };
    }

    /** When chunk {@code index} is due, after the request's start: 0, first, first + second. */
    Duration dueAfter(int index) {
        return switch (index) {
            case 0 -> Duration.ZERO;
            case 1 -> first;
            default -> first.plus(second);
        };
    }

    Duration total() {
        return first.plus(second);
    }
}
