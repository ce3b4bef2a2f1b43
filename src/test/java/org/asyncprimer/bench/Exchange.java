package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP request of a load run and what came back: the status, and when each expected marker (START, MIDDLE,
 * END; or each fetch line) arrived. Markers must come in order; the body ends when the server closes
 * ({@code Connection: close}).
 */
final class Exchange implements LoadLoop.Conn {

    final ByteBuffer request;
    private final List<String> markers;
    final long[] markedAt;
    private String carry = "";
    private int next;

    long sentAt;
    long firstByteAt;
    long endedAt;
    int status = -1;
    String failure;

    Exchange(String request, List<String> markers) {
        this.request = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        this.markers = markers;
        this.markedAt = new long[markers.size()];
    }

    @Override
    public ByteBuffer outgoing() {
        return request;
    }

    @Override
    public void connected(long now) {
        sentAt = now;
    }

    @Override
    public void closed(long now, String why) {
        end(now, why);
    }

    @Override
    public boolean finished() {
        return false; // the server ends the exchange (Connection: close)
    }

    /** Scans newly read bytes for the status line and the next markers; {@code now} stamps what was found. */
    @Override
    public void received(ByteBuffer data, long now) {
        if (firstByteAt == 0) {
            firstByteAt = now;
        }
        String text = carry + StandardCharsets.ISO_8859_1.decode(data);
        if (status < 0 && text.startsWith("HTTP/1.1 ") && text.length() >= 12) {
            status = Integer.parseInt(text.substring(9, 12));
        }
        int from = 0;
        while (next < markers.size()) {
            int at = text.indexOf(markers.get(next), from);
            if (at < 0) {
                break;
            }
            markedAt[next++] = now;
            from = at + 1;
        }
        int keep = Math.min(text.length() - from, 64);
        carry = text.substring(text.length() - keep);
    }

    @Override
    public boolean inProgress() {
        return firstByteAt != 0 && endedAt == 0;
    }

    /** Markers that came, in order. */
    int marked() {
        return next;
    }

    boolean complete() {
        return failure == null && status == 200 && next == markers.size();
    }

    void end(long now, String why) {
        if (endedAt == 0) {
            endedAt = now;
            if (why != null) {
                failure = why;
            } else if (status < 0) {
                failure = "closed by the server before any response";
            } else if (status != 200) {
                failure = "status " + status;
            } else if (next < markers.size()) {
                failure = "ended before '" + markers.get(next) + "'";
            }
        }
    }
}
