package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
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
    void aMessageIsEncodedOnceAndKeepsItsJson() {
        Message message = new Message(new MessageId(7, 0), "lobby", "zoë", "hi 😀", Instant.EPOCH);

        assertEquals(ChatJson.message(message), message.json());
        assertSame(message.json(), message.json(), "the same string every time: encoded once");
        assertSame(message.jsonUtf8(), message.jsonUtf8());
        assertArrayEquals(ChatJson.message(message).getBytes(StandardCharsets.UTF_8), message.jsonUtf8());
        assertEquals(new Message(new MessageId(7, 0), "lobby", "zoë", "hi 😀", Instant.EPOCH), message);
    }

    @Test
    void aMessagesServerSentEventIsBuiltOnceForEveryStream() {
        Message message = new Message(new MessageId(7, 1), "lobby", "zoë", "hi 😀", Instant.EPOCH);

        assertEquals("id: 7-1\nevent: message\ndata: " + message.json() + "\n\n",
                new String(message.sseEvent(), StandardCharsets.UTF_8));
        assertSame(message.sseEvent(), message.sseEvent(), "the same bytes for every subscriber: built once");
    }

    @Test
    void writesTheGapMarkerTheCreatedAnswerAndAnError() {
        assertEquals("{\"gap\":true,\"oldest\":\"5-1\"}", ChatJson.gap(new MessageId(5, 1)));
        assertEquals("{\"id\":\"5-1\"}", ChatJson.created(new MessageId(5, 1)));
        assertEquals("{\"error\":\"name is missing\"}", ChatJson.error("name is missing"));
    }
}
