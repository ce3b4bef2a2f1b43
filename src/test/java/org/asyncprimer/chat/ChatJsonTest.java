package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChatJsonTest {

    @Test
    void writesAMessageWithItsIdRoomNameTextAndUtcTime() {
        Message message = new Message(new MessageId(1795705200000L, 2), "lobby", "alice", "hi \"you\"\n<b>",
                Instant.parse("2026-11-26T15:00:00Z"));

        assertEquals("{\"id\":\"1795705200000-2\",\"room\":\"lobby\",\"name\":\"alice\","
                + "\"text\":\"hi \\\"you\\\"\\n<b>\","
                + "\"at\":\"2026-11-26T15:00:00.000Z\"}", ChatJson.message(message));
    }

    @Test
    void writesTheGapMarkerTheCreatedAnswerAndAnError() {
        assertEquals("{\"gap\":true,\"oldest\":\"5-1\"}", ChatJson.gap(new MessageId(5, 1)));
        assertEquals("{\"id\":\"5-1\"}", ChatJson.created(new MessageId(5, 1)));
        assertEquals("{\"error\":\"name is missing\"}", ChatJson.error("name is missing"));
    }
}
