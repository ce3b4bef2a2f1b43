package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A request whose answer is not due yet, for the churn: a long-poll of a chat room where nothing is published.
 * The client sends it and hangs up {@code wait} later, the way it was told, while the server still holds the poll
 * with nothing written. Any byte of an answer before then is a failure: that poll was not waiting.
 */
final class WaitingRequest implements LoadLoop.Conn {

    private final ByteBuffer request;
    private final long waitNanos;
    private final LoadLoop.HangUp how;
    private long sentAt;
    private long endedAt;
    String failure;

    WaitingRequest(String request, Duration wait, LoadLoop.HangUp how) {
        this.request = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        this.waitNanos = wait.toNanos();
        this.how = how;
    }

    @Override
    public ByteBuffer outgoing() {
        return request;
    }

    @Override
    public void connected(long now) {
        sentAt = now; // the loop writes the request right after
    }

    @Override
    public void received(ByteBuffer data, long now) {
        if (failure == null) {
            String answer = StandardCharsets.ISO_8859_1.decode(data).toString();
            failure = "answered before the hang-up: " + answer.lines().findFirst().orElse("");
        }
    }

    /** Time to hang up; at once after an answer, which has failed it already. */
    @Override
    public boolean finished() {
        return failure != null || waited();
    }

    /** The request went out {@code wait} ago; on this clock, not the loop's {@code now}, which may be older. */
    private boolean waited() {
        return sentAt != 0 && System.nanoTime() - sentAt >= waitNanos;
    }

    @Override
    public LoadLoop.HangUp hangUp() {
        return how;
    }

    @Override
    public void closed(long now, String why) {
        endedAt = now;
        if (failure == null && why != null) {
            failure = why;
        } else if (failure == null && !waited()) {
            failure = "closed by the server while waiting";
        }
    }

    @Override
    public boolean inProgress() {
        return sentAt != 0 && endedAt == 0;
    }

    /** Hung up as planned, with nothing received. */
    boolean complete() {
        return failure == null && endedAt != 0;
    }
}
