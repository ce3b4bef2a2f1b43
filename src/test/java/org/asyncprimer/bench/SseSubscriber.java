package org.asyncprimer.bench;

import java.nio.ByteBuffer;

/**
 * A chat subscriber over Server-Sent Events: {@code GET /chat/{room}?since=<marker>} with
 * {@code Accept: text/event-stream}, one response that stays open; each {@code data:} line of an event is a
 * message's JSON. It counts as subscribed when the 200 arrives (the server registers the subscription before).
 */
final class SseSubscriber extends ChatSubscriber {

    private static final byte[] DATA = ascii("data: ").array();

    private final ByteBuffer request;
    private final HttpReader reader = new HttpReader();
    private final Lines lines = new Lines();
    /** The arrival time of the bytes being parsed (the callbacks below are made once, not per read). */
    private long now;
    private final Lines.Line onLine = this::line;
    private final HttpReader.Body onBody = (array, from, to) -> lines.feed(array, from, to, onLine);

    SseSubscriber(String host, String room, String since, int count, Runnable onReady) {
        super("sse", count, onReady);
        request = ascii("GET /chat/" + room + "?since=" + since + " HTTP/1.1\r\nHost: " + host
                + "\r\nAccept: text/event-stream\r\n\r\n");
    }

    @Override
    public ByteBuffer outgoing() {
        return request;
    }

    @Override
    public void connected(long now) {
    }

    @Override
    public void received(ByteBuffer data, long now) {
        boolean ended;
        try {
            this.now = now;
            ended = reader.read(data, onBody);
        } catch (IllegalArgumentException malformed) {
            fail(malformed.getMessage());
            return;
        }
        if (!wasSubscribed() && reader.status() >= 0) {
            if (reader.status() == 200) {
                subscribed();
            } else {
                fail("stream answered " + reader.status());
            }
        }
        if (ended && !hasLast()) {
            fail("the server ended the stream before the last message");
        }
    }

    /** An event line: only {@code data: } matters here (the JSON has the id; {@code retry:}, pings are skipped). */
    private void line(byte[] array, int from, int to) {
        if (to - from > DATA.length && ChatSubscriber.indexOf(array, from, from + DATA.length, DATA) == from) {
            message(array, from + DATA.length, to, now);
        }
    }

    @Override
    public boolean reconnect(long now) {
        return false; // a stream that ends early is a failure here, not resumed with Last-Event-ID
    }

    @Override
    public boolean inProgress() {
        return wasSubscribed() && !finished();
    }
}
