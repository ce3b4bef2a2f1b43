package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * One subscriber of the chat scenario and what it got: which of the run's messages came (by the sequence number
 * the publisher wrote into each text, {@code <seq>:<nanoTime when sent>}), how long after their publish, and
 * whether any came twice or out of order. The transports ({@link SseSubscriber}, {@link WsSubscriber},
 * {@link PollSubscriber}) differ only in how the messages' JSON arrives.
 */
abstract class ChatSubscriber implements SubscriberLoop.Client {

    private static final byte[] GAP = ascii("\"gap\":").array();
    private static final byte[] TRUE = ascii("true").array();
    private static final byte[] ID = ascii("\"id\"").array();
    private static final byte[] TEXT = ascii("\"text\"").array();
    private static final byte[] QUOTE = {'"'};
    private static final byte[] COLON = {':'};

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
    /** The id of the last message that came (ASCII, its first lastIdLength bytes), copied: see lastId(). */
    private byte[] lastId = new byte[32];
    private int lastIdLength;
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

    /** One message's JSON as text (the tests' way in; the transports hand their bytes to the other). */
    void message(String json, long now) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        message(bytes, 0, bytes.length, now);
    }

    /**
     * One message's JSON as every transport carries it, {@code {"id":"..","room":..,"name":..,"text":"..",..}}, in
     * {@code json[from, to)}: read where it lies, without a String or a copy per message (see {@link HttpReader}
     * on why the client counts its allocations).
     */
    void message(byte[] json, int from, int to, long now) {
        int gap = indexOf(json, from, to, GAP);
        if (gap >= 0 && startsWith(json, skipSpaces(json, gap + GAP.length, to), to, TRUE)) {
            fail("a gap marker: the server no longer had a message the subscriber had not got");
            return;
        }
        int id = valueStart(json, from, to, ID);
        int idEnd = id < 0 ? -1 : indexOf(json, id, to, QUOTE);
        if (idEnd >= 0) {
            keepLastId(json, id, idEnd); // any message's: a long-poll resumes after it, the run's or not
        }
        int text = valueStart(json, from, to, TEXT);
        int colon = text < 0 ? -1 : digitsEnd(json, text, to, 9);
        int end = colon < 0 || colon >= to || json[colon] != ':' ? -1 : digitsEnd(json, colon + 1, to, 18);
        if (end < 0 || end >= to || json[end] != '"') {
            foreign++; // not "<seq>:<nanoTime>": another client's message, or the publisher's lead-in
            return;
        }
        int seq = (int) number(json, text, colon);
        long sentAt = number(json, colon + 1, end);
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

    /** The id of the last message that came, where a long-poll resumes; null before the first. */
    String lastId() {
        return lastIdLength == 0 ? null : new String(lastId, 0, lastIdLength, StandardCharsets.US_ASCII);
    }

    private void keepLastId(byte[] json, int from, int to) {
        if (to - from > lastId.length) {
            lastId = Arrays.copyOf(lastId, to - from);
        }
        System.arraycopy(json, from, lastId, 0, to - from);
        lastIdLength = to - from;
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

    /**
     * Where the string value of the key {@code name} (quoted) starts in flat JSON whose values have no escapes (ids,
     * and our own texts): after the first {@code "} that follows the key's colon; -1 if there is none.
     */
    static int valueStart(byte[] json, int from, int to, byte[] name) {
        int at = indexOf(json, from, to, name);
        int colon = at < 0 ? -1 : indexOf(json, at + name.length, to, COLON);
        int open = colon < 0 ? -1 : indexOf(json, colon + 1, to, QUOTE);
        return open < 0 ? -1 : open + 1;
    }

    /** A string field's value in flat JSON whose values have no escapes (the publisher reads its 201's id). */
    static String field(String json, String name) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        int open = valueStart(bytes, 0, bytes.length, ascii("\"" + name + "\"").array());
        int close = open < 0 ? -1 : indexOf(bytes, open, bytes.length, QUOTE);
        return close < 0 ? null : new String(bytes, open, close - open, StandardCharsets.UTF_8);
    }

    /** Where {@code needle} first starts in {@code array[from, to)}, or -1. */
    static int indexOf(byte[] array, int from, int to, byte[] needle) {
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (array[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(byte[] array, int at, int to, byte[] prefix) {
        return to - at >= prefix.length && indexOf(array, at, at + prefix.length, prefix) == at;
    }

    private static int skipSpaces(byte[] array, int at, int to) {
        while (at < to && array[at] == ' ') {
            at++;
        }
        return at;
    }

    /** The end of 1..max ASCII digits from {@code at}, or -1 if there are none or more. */
    private static int digitsEnd(byte[] array, int at, int to, int max) {
        int end = at;
        while (end < to && end - at <= max && array[end] >= '0' && array[end] <= '9') {
            end++;
        }
        return end == at || end - at > max ? -1 : end;
    }

    private static long number(byte[] digits, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n = n * 10 + (digits[i] - '0');
        }
        return n;
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
