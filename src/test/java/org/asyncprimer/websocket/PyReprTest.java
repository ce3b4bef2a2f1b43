package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Expected values are what the reference CPython (Debian's /usr/bin/python3, 3.11.2) prints for {@code repr(s)} and
 * {@code repr(bytearray(b))}; PyReprCPythonTest asks it about every code point and byte.
 */
class PyReprTest {

    /** Inputs are written with escapes ({@code \\n}, {@code \\u200b}) so invisible characters show; outputs verbatim. */
    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        Hello, world         | 'Hello, world'               | plain text
        it's                 | "it's"                       | a single quote picks double quotes
        `a'b"c`              | `'a\\'b"c'`                  | both quotes: single, escaped
        `say "hi"`           | `'say "hi"'`                 | double quotes alone stay
        \\n                  | '\\n'                        | newline
        \\t\\r               | '\\t\\r'                     | tab and carriage return
        \\u0007              | '\\x07'                      | BEL
        \\\\                 | '\\\\'                       | backslash
        \\u007f\\u0085\\u00a0 | '\\x7f\\x85\\xa0'           | DEL, NEL, no-break space
        héllo ✓              | 'héllo ✓'                    | printable non-ASCII stays
        \\u200b              | '\\u200b'                    | zero-width space (Cf)
        \\u2028\\u2029       | '\\u2028\\u2029'             | line and paragraph separators
        \\u3000              | '\\u3000'                    | ideographic space (Zs)
        \\ue000              | '\\ue000'                    | private use
        \\ud83d\\ude00       | '😀'                         | U+1F600 stays as is
        \\udb40\\udc01       | '\\U000e0001'                | language tag (Cf, astral)
        \\ud83e\\udee0       | '🫠'                         | U+1FAE0 (Unicode 14) stays, though JDK 17 does not know it
        \\ud83e\\udee8       | '\\U0001fae8'                | U+1FAE8 (Unicode 15) is escaped, though JDK 21 knows it
        ``                   | ''                           | empty
        """)
    void quotesTextLikePython(String input, String expected, String what) {
        assertEquals(expected, PyRepr.of(unescape(input)), what);
    }

    @Test
    void followsTheUnicodeVersionOfCPython311NotTheJdks() {
        assertEquals("14.0.0", NonPrintable.UNIDATA_VERSION, "the README says which CPython the echo matches");
    }

    @Test
    void escapesALongRunOfControlCharacters() {
        String message = "\u0001".repeat(65_536);
        assertEquals("'" + "\\x01".repeat(65_536) + "'", PyRepr.of(message));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        00016162       | `bytearray(b'\\x00\\x01ab')`
        48656c6c6f     | `bytearray(b'Hello')`
        27             | `bytearray(b"\\'")`
        4c65742773     | `bytearray(b"Let\\'s")`
        22             | `bytearray(b'"')`
        2722           | `bytearray(b'\\'"')`
        5c090a0d       | `bytearray(b'\\\\\\t\\n\\r')`
        7e7f80ff       | `bytearray(b'~\\x7f\\x80\\xff')`
        ``             | `bytearray(b'')`
        """)
    void quotesBytesLikePythonsBytearray(String hex, String expected) {
        assertEquals(expected, PyRepr.ofByteArray(HexFormat.of().parseHex(hex == null ? "" : hex)));
    }

    /** Java-style escapes in the table: {@code \\n}, {@code \\t}, {@code \\r}, {@code \\\\}, {@code \\uXXXX}. */
    private static String unescape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char next = s.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
