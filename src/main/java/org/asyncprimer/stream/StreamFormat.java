package org.asyncprimer.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.asyncprimer.app.Accept;

/**
 * The three chunks of /stream, encoded once: as plain text lines, or as Server-Sent Events for clients that
 * ask for {@code text/event-stream} (what {@code new EventSource('/stream')} sends).
 */
enum StreamFormat {

    PLAIN("text/plain;charset=UTF-8") {
        @Override
        String encode(int id, String word) {
            return word + "\n";
        }
    },
    SSE("text/event-stream;charset=UTF-8") {
        @Override
        String encode(int id, String word) {
            // The event is named after the word, so a page can close its EventSource on "end" instead of
            // letting it reconnect and replay the stream forever.
            return "id: " + id + "\nevent: " + word.toLowerCase(Locale.ROOT) + "\ndata: " + word + "\n\n";
        }
    };

    private final String contentType;
    private final byte[][] chunks;

    StreamFormat(String contentType) {
        this.contentType = contentType;
        this.chunks = new byte[Words.ALL.size()][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = encode(i + 1, Words.ALL.get(i)).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The seed's three words (in a holder: enum constants are built before the enum's own statics). */
    static final class Words {
        static final List<String> ALL = List.of("START", "MIDDLE", "END");

        private Words() {
        }
    }

    abstract String encode(int id, String word);

    String contentType() {
        return contentType;
    }

    /** Shared, never modified: the pre-encoded bytes are written as they are. */
    byte[] chunk(int index) {
        return chunks[index];
    }

    int size() {
        return chunks.length;
    }

    static StreamFormat forAccept(String accept) {
        return Accept.prefers(accept, "text/event-stream", "text/plain") ? SSE : PLAIN;
    }
}
