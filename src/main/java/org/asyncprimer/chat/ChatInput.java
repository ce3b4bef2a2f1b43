package org.asyncprimer.chat;

import static java.lang.Character.MAX_SURROGATE;
import static java.lang.Character.MIN_SURROGATE;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything a chat client sends, checked in one place, for every transport: the room in the path, a resume
 * id, a message to publish as JSON or as form fields. Each check returns the valid value or throws
 * {@link Invalid} whose message is the one-line answer (a 400 over HTTP, {@code {"error":...}} over WebSocket).
 * Body size and content type are the transport's to check, before it reads: {@link #MAX_BODY_BYTES} (413) and
 * JSON or form only (415).
 */
public final class ChatInput {

    public static final int MAX_NAME = 64;
    public static final int MAX_TEXT = 2000;
    /**
     * The largest publish body read. A longer one is refused with 413: unread when its {@code Content-Length} says
     * so; a chunked one, whose length nobody states, is read until it passes this many bytes.
     */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Input a client may not send; the message is the one line to answer with. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private ChatInput() {
    }

    /** A room name: 1 to 64 of {@code A-Z a-z 0-9 _ -}. */
    public static String room(String raw) throws Invalid {
        if (raw == null || !ROOM.matcher(raw).matches()) {
            throw new Invalid("room must be 1 to 64 letters, digits, '_' or '-', got '" + abbreviate(raw) + "'");
        }
        return raw;
    }

    /** A resume point ({@code ?since=} or {@code Last-Event-ID}, named by {@code what}); null when absent. */
    public static MessageId id(String what, String raw) throws Invalid {
        if (raw == null) {
            return null;
        }
        MessageId id = MessageId.parse(raw);
        if (id == null) {
            throw new Invalid(what + " must be a message id like 1795705200000-0, got '" + abbreviate(raw) + "'");
        }
        return id;
    }

    /** A message posted as {@code {"name":"alice","text":"hi"}} (other fields are ignored). */
    public static Draft json(String body) throws Invalid {
        JsonNode root;
        try {
            root = ChatJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation(); // none when a parser limit (nesting depth, number length) was hit
            throw new Invalid("body is not valid JSON (" + (at == null ? "beyond the parser's limits"
                    : "line " + at.getLineNr() + ", column " + at.getColumnNr()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("body must be a JSON object like {\"name\":\"alice\",\"text\":\"hi\"}");
        }
        return new Draft(checked("name", jsonString(root, "name"), MAX_NAME),
                checked("text", jsonString(root, "text"), MAX_TEXT));
    }

    /** A message posted as form fields {@code name} and {@code text} (the servlet's parameter map). */
    public static Draft form(Map<String, String[]> fields) throws Invalid {
        return new Draft(checked("name", formString(fields, "name"), MAX_NAME),
                checked("text", formString(fields, "text"), MAX_TEXT));
    }

    private static String jsonString(JsonNode root, String field) throws Invalid {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new Invalid(field + " is missing");
        }
        if (!value.isTextual()) {
            throw new Invalid(field + " must be a string");
        }
        return value.textValue();
    }

    private static String formString(Map<String, String[]> fields, String field) throws Invalid {
        String[] values = fields.get(field);
        if (values == null || values.length == 0) {
            throw new Invalid(field + " is missing");
        }
        return values[0];
    }

    /** 1 to {@code max} characters (code points: an emoji is one), and text a UTF-8 encoder can write. */
    private static String checked(String field, String value, int max) throws Invalid {
        int length = value.codePointCount(0, value.length());
        if (length < 1 || length > max) {
            throw new Invalid(field + " must be 1 to " + max + " characters, got " + length);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new Invalid(field + " contains an unpaired surrogate (\\u" + Integer.toHexString(c) + ")");
            }
        }
        return value;
    }

    /** At most 24 characters of what the client sent, for the error line; controls and lone surrogates as '?'. */
    private static String abbreviate(String raw) {
        if (raw == null) {
            return "";
        }
        String printable = raw.codePoints().limit(24)
                .map(c -> c < 0x20 || c == 0x7f || (c >= MIN_SURROGATE && c <= MAX_SURROGATE) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return raw.codePointCount(0, raw.length()) > 24 ? printable + "..." : printable;
    }
}
