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
            boolean first = reader.read(bytes(CHUNKED.substring(0, split)), body::append);
            boolean done = reader.read(bytes(CHUNKED.substring(split)), body::append);
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

        assertTrue(reader.read(bytes("HTTP/1.1 204 \r\nDate: x\r\n\r\n"), body::append));
        assertEquals(204, reader.status());
        reader.next();
        assertFalse(reader.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"), body::append));
        assertTrue(reader.read(bytes("cde"), body::append));
        assertEquals("abcde", body.toString());
    }

    @Test
    void anHttp10AnswerEndsTheConnection() {
        HttpReader reader = new HttpReader();

        assertTrue(reader.read(bytes("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), text -> { }));
        assertFalse(reader.keepAlive());
        reader.next();
        assertFalse(reader.read(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end"), text -> { }));
        assertTrue(reader.endsAtClose());
        assertFalse(reader.keepAlive());
    }

    @Test
    void refusesWhatIsNotHttp() {
        assertThrows(IllegalArgumentException.class, () -> new HttpReader().read(bytes("SSH-2.0\r\n\r\n"), t -> { }));
        assertThrows(IllegalArgumentException.class, () -> new HttpReader().read(
                bytes("HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), t -> { }));
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
