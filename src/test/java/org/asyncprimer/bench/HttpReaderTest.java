package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The chat subscribers' HTTP reading, fed the way a socket delivers: in pieces split anywhere. */
class HttpReaderTest {

    private static final String CHUNKED = "HTTP/1.1 200 \r\nContent-Type: application/x-ndjson\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + "b\r\n{\"id\":\"1\"}\n\r\n" + "B;ext=1\r\n{\"id\":\"22\"}\r\n"
            + "0\r\n\r\n";

    @Test
    void decodesAChunkedBodySplitAtEveryByte() {
        for (int split = 1; split < CHUNKED.length(); split++) {
            HttpReader reader = new HttpReader();
            StringBuilder body = new StringBuilder();
            boolean first = reader.read(bytes(CHUNKED.substring(0, split)), into(body));
            boolean done = reader.read(bytes(CHUNKED.substring(split)), into(body));
            int at = split;
            assertAll("split at " + at,
                    () -> assertFalse(first),
                    () -> assertTrue(done),
                    () -> assertEquals("{\"id\":\"1\"}\n{\"id\":\"22\"}", body.toString()),
                    () -> assertEquals(200, reader.status()),
                    () -> assertTrue(reader.keepAlive()));
        }
    }

    @Test
    void readsOneResponseAfterAnotherOnAKeptAliveConnection() {
        HttpReader reader = new HttpReader();
        StringBuilder body = new StringBuilder();

        assertTrue(reader.read(bytes("HTTP/1.1 204 \r\nDate: x\r\n\r\n"), into(body)));
        assertEquals(204, reader.status());
        reader.next();
        assertFalse(reader.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"), into(body)));
        assertTrue(reader.read(bytes("cde"), into(body)));
        assertEquals("abcde", body.toString());
    }

    @Test
    void anHttp10AnswerEndsTheConnection() {
        HttpReader reader = new HttpReader();

        assertTrue(reader.read(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), NOWHERE));
        assertFalse(reader.keepAlive());
        reader.next();
        assertFalse(reader.read(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end"), NOWHERE));
        assertTrue(reader.endsAtClose());
        assertFalse(reader.keepAlive());
    }

    @Test
    void refusesWhatIsNotHttp() {
        assertThrows(IllegalArgumentException.class, () -> new HttpReader().read(bytes("SSH-2.0\r\n\r\n"), NOWHERE));
        assertThrows(IllegalArgumentException.class, () -> new HttpReader().read(
                bytes("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), NOWHERE));
    }

    @Test
    void refusesABadChunkSizeButTakesSpacesAndExtensions() {
        for (String bad : new String[] {"", ";x", "-1", "1 2", "g", "1000000000000000"}) {
            assertThrows(IllegalArgumentException.class, () -> new HttpReader().read(
                    bytes("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n" + bad + "\r\n"), NOWHERE), bad);
        }
        StringBuilder body = new StringBuilder();
        assertTrue(new HttpReader().read(bytes("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n"
                + " 1f ;a=b\r\n" + "x".repeat(31) + "\r\n0\r\n\r\n"), into(body)));
        assertEquals("x".repeat(31), body.toString());
    }

    private static final HttpReader.Body NOWHERE = (array, from, to) -> { };

    /** Collects the body as text (Latin-1: one char per byte). */
    private static HttpReader.Body into(StringBuilder body) {
        return (array, from, to) -> body.append(new String(array, from, to - from, StandardCharsets.ISO_8859_1));
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
