package org.asyncprimer.app;

import java.util.Locale;

/**
 * How a held response or session ended, as {@code /metrics} counts it ({@code asyncprimer_responses_ended_total}
 * by kind and outcome). The first way out that is taken decides; later ones change nothing.
 */
public enum Outcome {
    /** Its end was written (END, the last line, a 204 after the long-poll, a close the client asked for). */
    COMPLETED,
    /** The container's async timeout (or a WebSocket idle timeout) ended it. */
    TIMEOUT,
    /** The client hung up, or a write failed. */
    CLIENT_GONE,
    /** The client took no bytes for the whole stall timeout. */
    STALLED,
    /** A bug: a hook threw. */
    ERROR,
    /** The application stopped with it open. */
    SHUTDOWN,
    /** The client sent faster than it read, past what one session may hold. */
    OVERFLOW;

    private final String tag = name().toLowerCase(Locale.ROOT);

    /**
     * How a WebSocket session ended, from the code of its close (an idle timeout closes with 1001 too, so it counts
     * as completed): 1000 and 1001 completed, 1006 (no close frame) client gone, 1008 overflow, others error.
     */
    public static Outcome ofCloseCode(int code) {
        return switch (code) {
            case 1000, 1001 -> COMPLETED;
            case 1006 -> CLIENT_GONE;
            case 1008 -> OVERFLOW;
            default -> ERROR;
        };
    }

    /** The tag value: {@code completed}, {@code client_gone}, ... */
    public String tag() {
        return tag;
    }
}
