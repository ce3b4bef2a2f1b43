package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * One subscriber of the chat scenario and what it got: which of the run's messages came (by the sequence number
 * the publisher wrote into each text, {@code <seq>:<nanoTime when sent>}), how long after their publish, and
 * whether any came twice or out of order. The transports ({@link SseSubscriber}, {@link WsSubscriber},
 * {@link PollSubscriber}) differ only in how the messages' JSON arrives.
 */
abstract class ChatSubscriber implements SubscriberLoop.Client {

    final String transport;
    /** The run's messages are 1..count; the subscriber is done when it has the last. */
    private final int count;
    private final Runnable onReady;
    private final BitSet seen = new BitSet();
    /** By sequence number: nanoseconds from publish to arrival, 0 for one that has not come. */
    final long[] latencyNanos;
    private int highest;
    private boolean ready;
    private boolean subscribed;
    int duplicates;
    int outOfOrder;
    /** Messages in the room that are not the run's (another client's): ignored, but counted. */
    int foreign;
    /** The id of the last message that came: where a long-poll resumes. */
    String lastId;
    String failure;

    ChatSubscriber(String transport, int count, Runnable onReady) {
        this.transport = transport;
        this.count = count;
        this.onReady = onReady;
        this.latencyNanos = new long[count + 1];
    }

    /** The server has taken the subscription (or is about to): the publisher waits for every subscriber's. */
    void subscribed() {
        subscribed = true;
        ready();
    }

    /** One message's JSON as every transport carries it: {@code {"id":"..","room":..,"name":..,"text":"..",..}}. */
    void message(String json, long now) {
        if (json.contains("\"gap\":true") || json.contains("\"gap\": true")) {
            fail("a gap marker: the server no longer had a message the subscriber had not got");
            return;
        }
        String id = field(json, "id");
        String text = field(json, "text");
        int colon = text == null ? -1 : text.indexOf(':');
        int seq;
        long sentAt;
        try {
            seq = Integer.parseInt(text.substring(0, colon));
            sentAt = Long.parseLong(text.substring(colon + 1));
        } catch (RuntimeException notOurs) {
            foreign++;
            return;
        }
        if (id != null) {
            lastId = id;
        }
        if (seq < 1 || seq > count) {
            foreign++;
        } else if (seen.get(seq)) {
            duplicates++;
        } else {
            if (seq < highest) {
                outOfOrder++;
            }
            seen.set(seq);
            highest = Math.max(highest, seq);
            latencyNanos[seq] = Math.max(1, now - sentAt);
        }
    }

    /** The first failure is the one reported; failing also counts as ready, so the publisher need not wait. */
    void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        ready();
    }

    private void ready() {
        if (!ready) {
            ready = true;
            onReady.run();
        }
    }

    /** The last message of the run has come: stop listening. */
    boolean hasLast() {
        return seen.get(count);
    }

    /** Distinct messages of the run that came. */
    int delivered() {
        return seen.cardinality();
    }

    /** Every message of the run, once each, in order, and no failure on the way. */
    boolean complete() {
        return failure == null && delivered() == count && duplicates == 0 && outOfOrder == 0;
    }

    /** Why it is not complete, as a kind (the same words for every subscriber it struck). */
    String why() {
        if (failure != null) {
            return failure;
        }
        if (duplicates > 0 || outOfOrder > 0) {
            return "messages twice or out of order";
        }
        return "messages missing";
    }

    boolean wasSubscribed() {
        return subscribed;
    }

    @Override
    public boolean finished() {
        return hasLast() || failure != null;
    }

    @Override
    public void closed(long now, String why) {
        if (hasLast()) {
            return;
        }
        fail(why != null ? why : wasSubscribed() ? "the server closed the connection before the last message"
                : "the server closed the connection before its answer");
    }

    /** A string field's value in flat JSON whose values have no escapes (ids, and our own texts). */
    static String field(String json, String name) {
        String key = "\"" + name + "\"";
        int at = json.indexOf(key);
        if (at < 0) {
            return null;
        }
        int open = json.indexOf('"', json.indexOf(':', at + key.length()) + 1);
        int close = open < 0 ? -1 : json.indexOf('"', open + 1);
        return close < 0 ? null : json.substring(open + 1, close);
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
