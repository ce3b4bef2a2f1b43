package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every code point U+0000..U+10FFFF (lone surrogates included) and every byte value, alone and among quotes and
 * backslashes, through PyRepr and through the reference CPython, Debian's {@code /usr/bin/python3}: the echo's
 * replies must be the seed's, on every JVM (issue #10). Fails, never skips, when that Python is missing.
 *
 * <p>Python gets each case as hex on a line ({@code s} + the Java string's UTF-16LE code units, decoded with
 * {@code surrogatepass} so lone surrogates stay lone, or {@code b} + the bytes) and answers with one repr a line in
 * UTF-8; a repr never holds a line break or a lone surrogate, both are escapes.
 */
class PyReprCPythonTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String REPR_EACH_LINE = """
        import sys, unicodedata
        out = sys.stdout.buffer
        out.write(('%d.%d.%d %s\\n' % (*sys.version_info[:3], unicodedata.unidata_version)).encode())
        for line in sys.stdin.buffer:
            data = bytes.fromhex(line[1:].decode())
            value = data.decode('utf-16-le', 'surrogatepass') if line[:1] == b's' else bytearray(data)
            out.write(repr(value).encode() + b'\\n')
        """;

    /** Not a power of two, so that one chunk holds both U+DBFF and U+DC00. */
    private static final int CHUNK = 1000;
    private static final int MAX_REPORTED = 10;

    /** One input: text ({@code bytes == null}) or a bytearray, and what it is, for the failure message. */
    private record Case(String what, String text, byte[] bytes) {

        static Case text(String what, String text) {
            return new Case(what, text, null);
        }

        static Case bytes(String what, byte[] bytes) {
            return new Case(what, null, bytes);
        }

        String inputLine() {
            if (bytes != null) {
                return "b" + HexFormat.of().formatHex(bytes);
            }
            ByteBuffer utf16 = ByteBuffer.allocate(text.length() * 2).order(ByteOrder.LITTLE_ENDIAN);
            text.chars().forEach(c -> utf16.putChar((char) c));
            return "s" + HexFormat.of().formatHex(utf16.array());
        }

        String pyRepr() {
            return bytes != null ? PyRepr.ofByteArray(bytes) : PyRepr.of(text);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void quotesEveryCodePointAndByteAsTheReferenceCPythonDoes(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(PYTHON), PYTHON + " is missing: install python3 (apt-get install python3, as"
                + " .ci/run does). This test compares PyRepr with the seed's CPython and must not be skipped.");
        Path input = dir.resolve("cases.txt");
        try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.US_ASCII)) {
            forEachCase(c -> {
                try {
                    out.write(c.inputLine());
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Path errors = dir.resolve("stderr.txt");
        Process python = new ProcessBuilder(PYTHON.toString(), "-I", "-c", REPR_EACH_LINE)
                .redirectInput(input.toFile()).redirectError(errors.toFile()).start();

        List<String> mismatches = new ArrayList<>();
        int[] counts = new int[2]; // cases, mismatches
        try (BufferedReader reprs = new BufferedReader(new InputStreamReader(python.getInputStream(),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)), 1 << 16)) {
            String version = reprs.readLine();
            assertNotNull(version, () -> "python printed nothing: " + read(errors));
            assertEquals(NonPrintable.UNIDATA_VERSION, version.substring(version.indexOf(' ') + 1),
                    () -> "nonprintable-ranges.txt was written for another Unicode version than " + PYTHON
                            + " (" + version + ") knows: run " + PYTHON + " src/build/gen-nonprintable-ranges.py"
                            + " and say so in the README");
            forEachCase(c -> {
                counts[0]++;
                String expected = readLine(reprs);
                if (expected == null) {
                    throw new AssertionError("python stopped after " + (counts[0] - 1) + " cases: " + read(errors));
                }
                String ours = c.pyRepr();
                if (!ours.equals(expected) && ++counts[1] <= MAX_REPORTED) {
                    mismatches.add(describe(c, expected, ours));
                }
            });
            assertNull(reprs.readLine(), "python answered more lines than there were cases");
            assertTrue(python.waitFor(30, TimeUnit.SECONDS), "python did not exit");
            assertEquals(0, python.exitValue(), () -> "python failed: " + read(errors));
        } finally {
            python.destroyForcibly(); // when an assertion above stopped reading early; a no-op once python exited
        }
        assertEquals(0, counts[1], () -> counts[1] + " of " + counts[0] + " reprs differ from CPython's, first ones:\n"
                + String.join("\n", mismatches));
    }

    /** The same cases in the same order every call: once to write them for Python, once to compare. */
    private static void forEachCase(Consumer<Case> each) {
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            each.accept(Case.text(codePoint(c) + " alone", new String(Character.toChars(c))));
        }
        for (int first = 0; first <= Character.MAX_CODE_POINT; first += CHUNK) {
            int end = Math.min(first + CHUNK, Character.MAX_CODE_POINT + 1);
            String chunk = chunk(first, end);
            String what = codePoint(first) + ".." + codePoint(end - 1);
            each.accept(Case.text(what, chunk));
            each.accept(Case.text("' then " + what, "'" + chunk));
            each.accept(Case.text("\" then " + what, "\"" + chunk));
        }
        for (int c = 0; c <= 0xff; c++) { // the quote choice and the escapes around each Latin-1 code point
            String s = String.valueOf((char) c);
            each.accept(Case.text(codePoint(c) + " with '", s + "'"));
            each.accept(Case.text(codePoint(c) + " with \"", "\"" + s));
            each.accept(Case.text(codePoint(c) + " with ' and \"", "'" + s + "\""));
            each.accept(Case.text(codePoint(c) + " with \\", s + "\\"));
        }
        byte[] all = new byte[256];
        for (int b = 0; b <= 0xff; b++) {
            all[b] = (byte) b;
            String what = String.format("byte %02x", b);
            each.accept(Case.bytes(what + " alone", new byte[] {(byte) b}));
            each.accept(Case.bytes(what + " with '", new byte[] {(byte) b, '\''}));
            each.accept(Case.bytes(what + " with \"", new byte[] {'"', (byte) b}));
            each.accept(Case.bytes(what + " with ' and \"", new byte[] {'\'', (byte) b, '"'}));
            each.accept(Case.bytes(what + " with \\", new byte[] {(byte) b, '\\'}));
        }
        each.accept(Case.bytes("bytes 00..ff", all));
        each.accept(Case.bytes("bytes 00..ff without \"", without(all, '"')));
        each.accept(Case.bytes("bytes 00..ff without '", without(all, '\'')));
    }

    /**
     * Code points {@code first} up to {@code end} in one string, each as itself: a lone surrogate is one char. Where a
     * high surrogate would meet a low one (U+DBFF, U+DC00) an {@code a} keeps them apart, or they would pair up
     * into one code point.
     */
    private static String chunk(int first, int end) {
        StringBuilder s = new StringBuilder(2 * (end - first));
        int separators = 0;
        for (int c = first; c < end; c++) {
            if (c <= 0xffff && Character.isLowSurrogate((char) c)
                    && !s.isEmpty() && Character.isHighSurrogate(s.charAt(s.length() - 1))) {
                s.append('a');
                separators++;
            }
            s.appendCodePoint(c);
        }
        assertEquals(end - first + separators, s.codePointCount(0, s.length()), "a surrogate pair formed in a chunk");
        return s.toString();
    }

    private static byte[] without(byte[] bytes, char left) {
        ByteBuffer kept = ByteBuffer.allocate(bytes.length);
        for (byte b : bytes) {
            if (b != left) {
                kept.put(b);
            }
        }
        return Arrays.copyOf(kept.array(), kept.position());
    }

    private static String describe(Case c, String expected, String ours) {
        int at = 0;
        while (at < Math.min(expected.length(), ours.length()) && expected.charAt(at) == ours.charAt(at)) {
            at++;
        }
        int from = Math.max(0, at - 20);
        return c.what() + ": at char " + at + " CPython has …" + clip(expected, from) + "… PyRepr has …"
                + clip(ours, from) + "…";
    }

    private static String clip(String s, int from) {
        return s.substring(Math.min(from, s.length()), Math.min(from + 60, s.length()));
    }

    private static String codePoint(int c) {
        String hex = Integer.toHexString(c).toUpperCase(Locale.ROOT);
        return "U+" + "000".substring(Math.min(3, hex.length() - 1)) + hex;
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
