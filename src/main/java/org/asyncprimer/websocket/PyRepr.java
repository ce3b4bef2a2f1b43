package org.asyncprimer.websocket;

/**
 * Python 3's {@code repr()} of a {@code str} and of a {@code bytearray}: the seed's server answers
 * {@code "Your message was: %r" % message}, and these make our replies identical to those of the reference CPython
 * (Debian's 3.11, Unicode 14.0.0) on every JVM. PyReprCPythonTest holds every code point and byte to that.
 *
 * <p>Quotes: single, unless the value contains {@code '} and no {@code "}. Both escape backslash, tab, newline and
 * carriage return. Text escapes the chosen quote and every code point that {@link NonPrintable} lists (CPython's
 * {@code str.isprintable()} is False) as {@code \xhh}, {@code \\uhhhh} or {@code \Uhhhhhhhh}. A bytearray escapes
 * {@code '} whatever the quote (CPython's {@code bytearray_repr} does; {@code bytes} does not), and everything below
 * 0x20 and from 0x7f up as {@code \xhh}.
 *
 * <p>Hex digits come from a table, not {@code String.format}: a 64 KiB message of control characters is 65 536
 * escapes.
 */
final class PyRepr {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PyRepr() {
    }

    static String of(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(text.length() + 2).append(quote);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').append((char) c);
            } else if (!escapeWhitespace(out, c)) {
                if (!NonPrintable.contains(c)) {
                    out.appendCodePoint(c);
                } else if (c <= 0xff) {
                    hex(out.append("\\x"), c, 2);
                } else if (c <= 0xffff) {
                    hex(out.append("\\u"), c, 4);
                } else {
                    hex(out.append("\\U"), c, 8);
                }
            }
        }
        return out.append(quote).toString();
    }

    static String ofByteArray(byte[] bytes) {
        boolean hasSingle = false;
        boolean hasDouble = false;
        for (byte b : bytes) {
            hasSingle |= b == '\'';
            hasDouble |= b == '"';
        }
        char quote = hasSingle && !hasDouble ? '"' : '\'';
        StringBuilder out = new StringBuilder(bytes.length + 16).append("bytearray(b").append(quote);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\'' || c == '\\') { // ' even inside "...": bytearray(b"\'"), as CPython writes it
                out.append('\\').append((char) c);
            } else if (!escapeWhitespace(out, c)) {
                if (c < 0x20 || c >= 0x7f) {
                    hex(out.append("\\x"), c, 2);
                } else {
                    out.append((char) c);
                }
            }
        }
        return out.append(quote).append(')').toString();
    }

    /** Tab, newline and carriage return, which str and bytes both escape by name; true when {@code c} was written. */
    private static boolean escapeWhitespace(StringBuilder out, int c) {
        switch (c) {
            case '\t' -> out.append("\\t");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void hex(StringBuilder out, int value, int digits) {
        for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
            out.append(HEX[(value >>> shift) & 0xf]);
        }
    }
}
