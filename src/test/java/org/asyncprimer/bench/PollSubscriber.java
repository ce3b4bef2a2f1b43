package org.asyncprimer.bench;

import java.nio.ByteBuffer;

/**
 * A chat subscriber that long-polls: {@code GET /chat/{room}?since=<id>&timeout=25000}, one NDJSON line per
 * message; when the answer ends (200 after the messages it has, 204 when none came in time) it polls again after
 * the last id it got, on the same connection if the server keeps it alive, else on a new one. Subscribed from its
 * first connection (whatever it misses until the server reads the poll, {@code since} brings).
 */
final class PollSubscriber extends ChatSubscriber {

    private final String host;
    private final String room;
    private final String marker;
    private ByteBuffer out = ByteBuffer.allocate(0);
    private HttpReader reader;
    private final Lines lines = new Lines();
    /** The arrival time of the bytes being parsed (the callbacks below are made once, not per read). */
    private long now;
    private final Lines.Line onLine = (array, from, to) -> message(array, from, to, now);
    private final HttpReader.Body onBody = (array, from, to) -> lines.feed(array, from, to, onLine);
    /** A poll is out and its answer not yet complete. */
    private boolean polling;
    int polls;

    PollSubscriber(String host, String room, String since, int count, Runnable onReady) {
        super("poll", count, onReady);
        this.host = host;
        this.room = room;
        this.marker = since;
    }

    @Override
    public ByteBuffer outgoing() {
        return out;
    }

    @Override
    public void connected(long now) {
        reader = new HttpReader();
        subscribed();
        poll();
    }

    private void poll() {
        out = ascii("GET /chat/" + room + "?since=" + (lastId() != null ? lastId() : marker) + "&timeout=25000 HTTP/1.1"
                + "\r\nHost: " + host + "\r\n\r\n");
        polling = true;
    }

    @Override
    public void received(ByteBuffer data, long now) {
        if (!polling) {
            fail("bytes from the server with no poll out");
            return;
        }
        try {
            this.now = now;
            if (reader.read(data, onBody)) {
                answered();
            }
        } catch (IllegalArgumentException malformed) {
            fail(malformed.getMessage());
        }
    }

    /** One poll's answer is complete: poll again, here or (see reconnect) on a new connection. */
    private void answered() {
        polling = false;
        polls++;
        if (reader.status() != 200 && reader.status() != 204) {
            fail("poll answered " + reader.status());
        } else if (!hasLast() && reader.keepAlive()) {
            reader.next();
            poll();
        }
    }

    /** The server closed: in order after a complete answer, or where the answer runs until the close. */
    @Override
    public boolean reconnect(long now) {
        if (polling && reader.endsAtClose()) {
            answered();
        }
        if (polling && failure == null && !hasLast()) {
            fail("the server closed the connection while a poll was out");
        }
        return !polling && failure == null && !hasLast();
    }

    @Override
    public boolean inProgress() {
        return polling && !finished();
    }
}
