package org.asyncprimer.chat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One chat message as the broker stores it and every transport sends it, encoded by {@link ChatJson#message}:
 * {@code {"id":"1795705200000-0","room":"lobby","name":"alice","text":"hi","at":"2026-11-26T15:00:00.000Z"}}.
 *
 * <p>A value like a record (equal when its five fields are), but not one: it keeps its JSON once encoded. A
 * publish hands the same instance to every subscriber of the room on the delivering thread, so with 10 000
 * subscribers the message is encoded once, not 10 000 times.
 */
public final class Message {

    private final MessageId id;
    private final String room;
    private final String name;
    private final String text;
    private final Instant at;

    // Encoded on first use. Two threads may both encode it at first; they get equal results, so no lock.
    private volatile String json;
    private volatile byte[] utf8;
    private volatile byte[] sseEvent;
    private volatile byte[] ndjsonLine;

    public Message(MessageId id, String room, String name, String text, Instant at) {
        this.id = Objects.requireNonNull(id);
        this.room = Objects.requireNonNull(room);
        this.name = Objects.requireNonNull(name);
        this.text = Objects.requireNonNull(text);
        this.at = Objects.requireNonNull(at);
    }

    public MessageId id() {
        return id;
    }

    public String room() {
        return room;
    }

    public String name() {
        return name;
    }

    public String text() {
        return text;
    }

    public Instant at() {
        return at;
    }

    /**
     * An estimate of the heap a retained message takes, as both brokers count their history (the in-memory
     * broker's rooms, the Redis broker's tails): two bytes per character of name and text (a Java string's worst
     * case), plus 160 for the message, its id, time and strings, and the history's entry; and the same again three
     * times, plus 120 each, for the JSON the message keeps once a transport has sent it (as a string, as UTF-8 bytes
     * and as a long-poll's line, each the name and text with about 110 characters of fields and quotes); and once
     * more, plus 180, for the
     * Server-Sent Event built from those bytes once a stream has sent it (its id and event lines around the JSON).
     */
    public long heapEstimate() {
        long chars = name.length() + text.length();
        return 2 * chars + 160 + 3 * (2 * chars + 120) + (2 * chars + 180);
    }

    /** {@link ChatJson#message}, encoded once. */
    public String json() {
        String encoded = json;
        if (encoded == null) {
            encoded = ChatJson.message(this);
            json = encoded;
        }
        return encoded;
    }

    /** {@link #json()} in UTF-8, encoded once; shared by every caller, so never modify it. */
    public byte[] jsonUtf8() {
        byte[] encoded = utf8;
        if (encoded == null) {
            encoded = json().getBytes(StandardCharsets.UTF_8);
            utf8 = encoded;
        }
        return encoded;
    }

    /**
     * {@link ChatStream}'s event for this message, built once: a publish to 10 000 SSE subscribers would otherwise
     * build 10 000 equal copies of it on the delivering thread (issue #11's cost per delivery). Never modify it.
     */
    byte[] sseEvent() {
        byte[] encoded = sseEvent;
        if (encoded == null) {
            encoded = ChatStream.event(id.toString(), "message", jsonUtf8());
            sseEvent = encoded;
        }
        return encoded;
    }

    /** {@link ChatPoll}'s line for this message (its JSON and a newline), built once and shared: never modify it. */
    byte[] ndjsonLine() {
        byte[] encoded = ndjsonLine;
        if (encoded == null) {
            encoded = ChatPoll.ndjson(jsonUtf8());
            ndjsonLine = encoded;
        }
        return encoded;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Message that && id.equals(that.id) && room.equals(that.room)
                && name.equals(that.name) && text.equals(that.text) && at.equals(that.at);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, room, name, text, at);
    }

    @Override
    public String toString() {
        return "Message[id=" + id + ", room=" + room + ", name=" + name + ", text=" + text + ", at=" + at + "]";
    }
}
