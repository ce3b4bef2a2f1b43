package org.asyncprimer.chat;

/**
 * A message's position in its room, written {@code <ms>-<seq>}: the publish time in epoch milliseconds and a
 * sequence number within that millisecond. It is the format of Redis stream ids, so the in-memory broker and
 * a Redis one hand clients the same kind of id, parse it the same way and order it the same way. Ids are
 * strictly increasing in publish order within a room; clients treat them as opaque and only hand them back as
 * a resume point.
 */
public record MessageId(long ms, long seq) implements Comparable<MessageId> {

    /** Before every id: "from the start of the room". */
    public static final MessageId ZERO = new MessageId(0, 0);

    public MessageId {
        if (ms < 0 || seq < 0) {
            throw new IllegalArgumentException("negative message id " + ms + "-" + seq);
        }
    }

    /**
     * The id written as {@code <ms>-<seq>} (decimal digits, each part fitting a signed 64-bit integer), or null
     * for anything else: a sign, spaces, a missing part, a number that overflows.
     */
    public static MessageId parse(String raw) {
        int dash = raw.indexOf('-');
        if (dash < 1 || dash > 19 || raw.length() - dash - 1 < 1 || raw.length() - dash - 1 > 19
                || !digits(raw, 0, dash) || !digits(raw, dash + 1, raw.length())) {
            return null;
        }
        try {
            return new MessageId(Long.parseLong(raw, 0, dash, 10), Long.parseLong(raw, dash + 1, raw.length(), 10));
        } catch (NumberFormatException overflow) {
            return null;
        }
    }

    /** The smallest id after this one that a room issues at {@code nowMs}: Redis's rule for {@code XADD *}. */
    MessageId next(long nowMs) {
        if (nowMs > ms) {
            return new MessageId(nowMs, 0);
        }
        // The clock stood still or went back: stay in this millisecond, or step past it when it is used up.
        return seq == Long.MAX_VALUE ? new MessageId(ms + 1, 0) : new MessageId(ms, seq + 1);
    }

    /** The largest id of the millisecond before {@code ms}: every id a room issues from {@code ms} on is after it. */
    static MessageId before(long ms) {
        return ms == 0 ? ZERO : new MessageId(ms - 1, Long.MAX_VALUE);
    }

    @Override
    public int compareTo(MessageId other) {
        int byMs = Long.compare(ms, other.ms);
        return byMs != 0 ? byMs : Long.compare(seq, other.seq);
    }

    public boolean isBefore(MessageId other) {
        return compareTo(other) < 0;
    }

    @Override
    public String toString() {
        return ms + "-" + seq;
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
