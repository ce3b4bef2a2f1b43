package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.asyncprimer.chat.ChatInput.Invalid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every line a client can get back for bad chat input. */
class ChatInputTest {

    @ParameterizedTest
    @ValueSource(strings = {"lobby", "a", "A-Z_09", "-",
        "x234567890123456789012345678901234567890123456789012345678901234"})
    void acceptsRoomNamesOfLettersDigitsUnderscoreAndDash(String room) throws Invalid {
        assertEquals(room, ChatInput.room(room));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a/b", "a.b", "é", "lobby\n", "%41"})
    void refusesOtherRoomNames(String room) {
        Invalid invalid = assertThrows(Invalid.class, () -> ChatInput.room(room));
        assertEquals("room must be 1 to 64 letters, digits, '_' or '-', got '" + room.replace('\n', '?') + "'",
                invalid.getMessage());
    }

    @Test
    void refusesLongRoomNamesAndShowsOnlyTheirStart() {
        assertEquals("room must be 1 to 64 letters, digits, '_' or '-', got '" + "x".repeat(24) + "...'",
                assertThrows(Invalid.class, () -> ChatInput.room("x".repeat(65))).getMessage());
        assertEquals("room must be 1 to 64 letters, digits, '_' or '-', got ''",
                assertThrows(Invalid.class, () -> ChatInput.room(null)).getMessage());
    }

    @Test
    void readsResumeIdsAndNamesTheParameterWhenOneIsMalformed() throws Invalid {
        assertNull(ChatInput.id("since", null));
        assertEquals(new MessageId(5, 1), ChatInput.id("since", "5-1"));
        assertEquals("Last-Event-ID must be a message id like 1795705200000-0, got '12'",
                assertThrows(Invalid.class, () -> ChatInput.id("Last-Event-ID", "12")).getMessage());
    }

    @Test
    void readsAJsonMessageAndIgnoresOtherFields() throws Invalid {
        assertEquals(new Draft("alice", "hi"), ChatInput.json("{\"name\":\"alice\",\"text\":\"hi\",\"x\":[1]}"));
        assertEquals(new Draft("n".repeat(64), "t".repeat(2000)),
                ChatInput.json("{\"name\":\"" + "n".repeat(64) + "\",\"text\":\"" + "t".repeat(2000) + "\"}"));
        assertEquals(new Draft("😀".repeat(64), "line one\nline two"),
                ChatInput.json("{\"name\":\"" + "😀".repeat(64) + "\",\"text\":\"line one\\nline two\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"name\":\"a\",\"text\":\"b\"            | body is not valid JSON (line 1, column 23)",
        "{name:\"a\"}                              | body is not valid JSON (line 1, column 2)",
        "{\"name\":\"a\",\"name\":\"b\",\"text\":\"c\"} | body is not valid JSON (line 1, column 19)",
        "{\"name\":\"a\",\"text\":\"b\"} {}         | body is not valid JSON (line 1, column 25)",
        "``       | body must be a JSON object like {\"name\":\"alice\",\"text\":\"hi\"}",
        "[]       | body must be a JSON object like {\"name\":\"alice\",\"text\":\"hi\"}",
        "\"hi\"   | body must be a JSON object like {\"name\":\"alice\",\"text\":\"hi\"}",
        "{\"text\":\"b\"}                          | name is missing",
        "{\"name\":null,\"text\":\"b\"}            | name is missing",
        "{\"name\":\"a\"}                          | text is missing",
        "{\"name\":7,\"text\":\"b\"}               | name must be a string",
        "{\"name\":\"a\",\"text\":{}}              | text must be a string",
        "{\"name\":\"\",\"text\":\"b\"}            | name must be 1 to 64 characters, got 0",
        "{\"name\":\"a\",\"text\":\"\"}            | text must be 1 to 2000 characters, got 0",
        "{\"name\":\"a\\ud800\",\"text\":\"b\"}    | name contains an unpaired surrogate (\\ud800)",
        "{\"name\":\"a\",\"text\":\"\\udc00b\"}    | text contains an unpaired surrogate (\\udc00)",
    })
    void answersEachBadJsonBodyWithOneLineThatSaysWhy(String body, String line) {
        assertEquals(line, assertThrows(Invalid.class, () -> ChatInput.json(body.strip())).getMessage());
    }

    @Test
    void answersHostileJsonWithTheSameLineNotAnException() {
        String deep = "{\"name\":" + "[".repeat(8000) + "]".repeat(8000) + "}";
        assertEquals("body is not valid JSON (beyond the parser's limits)",
                assertThrows(Invalid.class, () -> ChatInput.json(deep)).getMessage());
        String longNumber = "{\"name\":1" + "0".repeat(16_000) + ",\"text\":\"b\"}";
        assertEquals("body is not valid JSON (beyond the parser's limits)",
                assertThrows(Invalid.class, () -> ChatInput.json(longNumber)).getMessage());
    }

    @Test
    void countsCharactersNotUtf16UnitsAndRefusesOverLongFields() {
        assertEquals("name must be 1 to 64 characters, got 65", assertThrows(Invalid.class,
                () -> ChatInput.json("{\"name\":\"" + "😀".repeat(65) + "\",\"text\":\"b\"}")).getMessage());
        assertEquals("text must be 1 to 2000 characters, got 2001", assertThrows(Invalid.class,
                () -> ChatInput.json("{\"name\":\"a\",\"text\":\"" + "t".repeat(2001) + "\"}")).getMessage());
    }

    @Test
    void readsFormFieldsWithTheSameRules() throws Invalid {
        assertEquals(new Draft("alice", "hi"),
                ChatInput.form(Map.of("name", new String[] {"alice"}, "text", new String[] {"hi", "again"})));
        assertEquals("name is missing", assertThrows(Invalid.class,
                () -> ChatInput.form(Map.of("text", new String[] {"hi"}))).getMessage());
        assertEquals("text is missing", assertThrows(Invalid.class,
                () -> ChatInput.form(Map.of("name", new String[] {"a"}, "text", new String[0]))).getMessage());
        assertEquals("name must be 1 to 64 characters, got 0", assertThrows(Invalid.class,
                () -> ChatInput.form(Map.of("name", new String[] {""}, "text", new String[] {"hi"}))).getMessage());
        assertEquals("text must be 1 to 2000 characters, got 2001", assertThrows(Invalid.class,
                () -> ChatInput.form(Map.of("name", new String[] {"a"}, "text", new String[] {"t".repeat(2001)})))
                .getMessage());
    }
}
