package org.asyncprimer.chat.redis;

import org.asyncprimer.chat.Message;
import org.asyncprimer.chat.MessageId;

/**
 * A room's stream entry as a node holds it: the message, and {@code prev}, the id of the entry that came just
 * before it in the stream ({@code 0-0} for a stream's first). The publish script writes {@code prev} into every
 * entry, so a reader that asks for what follows an id knows whether anything in between is gone: when the first
 * entry it gets has a {@code prev} other than that id, entries were trimmed away (or the id was never one of this
 * stream's), and the subscriber gets the gap marker. Nothing else tells that exactly: {@code XREAD} and
 * {@code XRANGE} simply start at the oldest entry still there.
 */
record Entry(Message message, MessageId prev) {

    MessageId id() {
        return message.id();
    }

    /**
     * An estimate of the heap it takes: its message's, as the in-memory broker counts it ({@link
     * Message#heapEstimate()}, which includes the JSON and the Server-Sent Event the message caches once sent, as
     * a tail's message does too); the entry and its {@code prev} stand in for the in-memory history's map entry.
     */
    long size() {
        return message.heapEstimate();
    }
}
