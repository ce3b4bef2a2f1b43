package org.asyncprimer.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;

/**
 * Every JSON document the chat reads or writes, with one {@link ObjectMapper}. A message is the same text on
 * every transport: an NDJSON line, an SSE {@code data:} field, a WebSocket text message.
 */
public final class ChatJson {

    /** Strict reading: a duplicate field or anything after the object is malformed, not silently resolved. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** ISO-8601 in UTC with exactly three fraction digits, e.g. {@code 2026-11-26T15:00:00.000Z}. */
    private static final DateTimeFormatter AT = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private ChatJson() {
    }

    /** {@code {"id":"<id>","room":"lobby","name":"alice","text":"hi","at":"<ISO-8601 UTC>"}} */
    public static String message(Message message) {
        return write(MAPPER.createObjectNode()
                .put("id", message.id().toString())
                .put("room", message.room())
                .put("name", message.name())
                .put("text", message.text())
                .put("at", AT.format(message.at())));
    }

    /** The gap marker: history before {@code oldest} is gone, and {@code oldest} is the next message sent. */
    public static String gap(MessageId oldest) {
        return write(MAPPER.createObjectNode().put("gap", true).put("oldest", oldest.toString()));
    }

    /** The answer to a publish: {@code {"id":"<id>"}}. */
    public static String created(MessageId id) {
        return write(MAPPER.createObjectNode().put("id", id.toString()));
    }

    /** What a WebSocket client gets back for a message it may not publish: {@code {"error":"..."}}. */
    public static String error(String message) {
        return write(MAPPER.createObjectNode().put("error", message));
    }

    private static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of strings and booleans always serialises
        }
    }
}
