package org.asyncprimer.bench;

import java.nio.ByteBuffer;

/**
 * A chat subscriber over Server-Sent Events: {@code GET /chat/{room}?since=<marker>} with
 * {@code Accept: text/event-stream}, one response that stays open; each {@code data:} line of an event is a
 * message's JSON. It counts as subscribed when the 200 arrives (the server registers the subscription before).
 */
final class SseSubscriber extends ChatSubscriber {

    private final ByteBuffer request;
    private final HttpReader reader = new HttpReader();
    private final StringBuilder line = new StringBuilder();

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
            ended = reader.read(data, text -> lines(text, now));
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

    /** Event lines: only {@code data:} matters here (the JSON has the id; {@code retry:}, pings are skipped). */
    private void lines(String text, long now) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\n') {
                line.append(c);
                continue;
            }
            if (line.length() > 6 && line.substring(0, 6).equals("data: ")) {
                message(line.substring(6), now);
            }
            line.setLength(0);
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
