package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"0-0", "1795705200000-0", "1795705200000-17", "9223372036854775807-9223372036854775807"})
    void parsesWhatItPrints(String raw) {
        assertEquals(raw, MessageId.parse(raw).toString());
    }

    @Test
    void parsesBothParts() {
        assertEquals(new MessageId(1795705200000L, 3), MessageId.parse("1795705200000-3"));
        assertEquals(new MessageId(7, 0), MessageId.parse("007-0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "1", "1-", "-1", "1--1", "-1-1", "1-2-3", "+1-2", "1-+2", " 1-2", "1-2 ",
        "1.0-2", "a-b", "0x1-0", "1_000-0", "9223372036854775808-0", "0-9223372036854775808",
        "99999999999999999999-0", "١-٢"})
    void rejectsAnythingElse(String raw) {
        assertNull(MessageId.parse(raw));
    }

    @Test
    void ordersByMillisecondThenSequenceNotAsText() {
        List<MessageId> ids = new ArrayList<>(List.of(MessageId.parse("10-0"), MessageId.parse("9-5"),
                MessageId.parse("9-10"), MessageId.parse("9-9"), MessageId.parse("100-0")));
        Collections.sort(ids);

        assertEquals("[9-5, 9-9, 9-10, 10-0, 100-0]", ids.toString());
        assertTrue(MessageId.parse("9-10").isBefore(MessageId.parse("10-0")));
    }

    @Test
    void nextIsStrictlyIncreasingWhateverTheClockDoes() {
        MessageId id = new MessageId(1000, 0);
        assertEquals(new MessageId(1005, 0), id.next(1005));    // time moved on: a new millisecond, sequence 0
        assertEquals(new MessageId(1000, 1), id.next(1000));    // the same millisecond: the next sequence
        assertEquals(new MessageId(1000, 1), id.next(900));     // the clock went back: stay ahead
        assertEquals(new MessageId(1001, 0), new MessageId(1000, Long.MAX_VALUE).next(1000));
    }

    @Test
    void beforeAMillisecondComesBeforeEveryIdOfIt() {
        assertTrue(MessageId.before(1000).isBefore(new MessageId(1000, 0)));
        assertTrue(new MessageId(999, 5).isBefore(MessageId.before(1000)));
        assertEquals(new MessageId(1000, 0), MessageId.before(1000).next(1000));
        assertEquals(MessageId.ZERO, MessageId.before(0));
    }
}
