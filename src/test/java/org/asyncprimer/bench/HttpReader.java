package org.asyncprimer.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.x responses read as they arrive on one connection: the status line and headers, then the body
 * de-chunked ({@code Transfer-Encoding: chunked}), counted ({@code Content-Length}) or up to the server's close,
 * handed on piece by piece. As much HTTP as the chat's subscribers need from Tomcat, gevent's pywsgi and wsgiref;
 * anything it does not understand is an {@link IllegalArgumentException}, which fails the subscriber. The body is
 * handed on as bytes in the read buffer, not copied: the benchmark's client shares the server's two cores, so every
 * allocation per message it saves is CPU left to the server under test.
 */
final class HttpReader {

    /** Takes body bytes {@code array[from, to)}; they are valid only during the call (the buffer is reused). */
    interface Body {
        void bytes(byte[] array, int from, int to);
    }

    /** Where in the response the next bytes belong. */
    private enum Part { HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, LENGTH, UNTIL_CLOSE, DONE }

    private static final int MAX_HEAD = 16 * 1024;

    private ByteBuffer in = ByteBuffer.allocate(4096);
    private Part part = Part.HEAD;
    private long left;
    private int status = -1;
    private boolean keepAlive;

    /** Takes what arrived and hands body text to {@code body}; true once the response is complete. */
    boolean read(ByteBuffer data, Body body) {
        in = ReadBuffers.appended(in, data);
        try {
            return parse(body);
        } finally {
            in.compact();
        }
    }

    /** Ready for the next response on the same connection (keep-alive); bytes already read stay. */
    void next() {
        part = Part.HEAD;
        status = -1;
    }

    /** The status code, or -1 before the head has come. */
    int status() {
        return status;
    }

    /** The connection may carry another request after this response. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** The body runs until the server closes the connection, so a close ends the response in order. */
    boolean endsAtClose() {
        return part == Part.UNTIL_CLOSE;
    }

    private boolean parse(Body body) {
        for (;;) {
            switch (part) {
                case HEAD -> {
                    int end = indexOf("\r\n\r\n");
                    if (end < 0) {
                        if (in.remaining() > MAX_HEAD) {
                            throw new IllegalArgumentException("response head over " + MAX_HEAD + " bytes");
                        }
                        return false;
                    }
                    head(take(end + 4));
                }
                case CHUNK_SIZE -> {
                    int end = indexOf("\r\n");
                    if (end < 0) {
                        return false;
                    }
                    left = chunkSize(end);
                    in.position(in.position() + end + 2);
                    part = left == 0 ? Part.TRAILER : Part.CHUNK_DATA;
                }
                case CHUNK_DATA, LENGTH -> {
                    int n = (int) Math.min(left, in.remaining());
                    if (n > 0) {
                        give(n, body);
                        left -= n;
                    }
                    if (left > 0) {
                        return false;
                    }
                    part = part == Part.LENGTH ? Part.DONE : Part.CHUNK_END;
                }
                case CHUNK_END -> {
                    if (in.remaining() < 2) {
                        return false;
                    }
                    if (in.get() != '\r' || in.get() != '\n') {
                        throw new IllegalArgumentException("chunk not followed by CRLF");
                    }
                    part = Part.CHUNK_SIZE;
                }
                case TRAILER -> {
                    int end = indexOf("\r\n");
                    if (end < 0) {
                        return false;
                    }
                    part = take(end + 2).length() == 2 ? Part.DONE : Part.TRAILER;
                }
                case UNTIL_CLOSE -> {
                    if (in.hasRemaining()) {
                        give(in.remaining(), body);
                    }
                    return false;
                }
                case DONE -> {
                    return true;
                }
            }
        }
    }

    private void head(String head) {
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IllegalArgumentException("not an HTTP/1 status line: " + lines[0]);
        }
        status = Integer.parseInt(statusLine[1]);
        String connection = "";
        String transferEncoding = "";
        long length = -1;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = colon < 0 ? "" : lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = colon < 0 ? "" : lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "connection" -> connection = value;
                case "transfer-encoding" -> transferEncoding = value;
                case "content-length" -> length = Long.parseLong(value);
                default -> { }
            }
        }
        keepAlive = statusLine[0].equals("HTTP/1.1") ? !connection.contains("close") : connection.contains("keep-alive");
        if (status / 100 == 1 || status == 204 || status == 304) {
            part = Part.DONE;
        } else if (transferEncoding.contains("chunked")) {
            part = Part.CHUNK_SIZE;
        } else if (length >= 0) {
            left = length;
            part = length == 0 ? Part.DONE : Part.LENGTH;
        } else {
            keepAlive = false;
            part = Part.UNTIL_CLOSE;
        }
    }

    /**
     * The hexadecimal size of the chunk-size line's {@code length} bytes at the read position: spaces around it and
     * an extension after ';' allowed, as before {@code Long.parseLong(line.split(";")[0].trim(), 16)}.
     */
    private long chunkSize(int length) {
        int at = in.position();
        int end = at + length;
        while (at < end && in.get(at) == ' ') {
            at++;
        }
        long size = 0;
        int digits = 0;
        for (; at < end && digits <= 15; at++, digits++) {
            int digit = Character.digit(in.get(at), 16);
            if (digit < 0) {
                break;
            }
            size = size * 16 + digit;
        }
        while (at < end && (in.get(at) == ' ' || in.get(at) == '\t')) {
            at++;
        }
        if (digits == 0 || digits > 15 || (at < end && in.get(at) != ';')) {
            throw new IllegalArgumentException("bad chunk size line: "
                    + new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.ISO_8859_1));
        }
        return size;
    }

    /** Hands the next {@code n} bytes to {@code body} where they lie, then moves past them. */
    private void give(int n, Body body) {
        int from = in.arrayOffset() + in.position();
        body.bytes(in.array(), from, from + n);
        in.position(in.position() + n);
    }

    /** Where {@code needle} starts among the unread bytes, relative to the read position; -1 if not there. */
    private int indexOf(String needle) {
        int from = in.position();
        outer:
        for (int i = from; i <= in.limit() - needle.length(); i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (in.get(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i - from;
        }
        return -1;
    }

    /** The next {@code n} bytes as text (the chat's JSON here is ASCII; Latin-1 keeps any byte as one char). */
    private String take(int n) {
        byte[] bytes = new byte[n];
        in.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
