package org.asyncprimer.websocket;

/**
 * Python 3's {@code repr()} of a {@code str} and of a {@code bytearray}: the seed's server answers
 * {@code "Your message was: %r" % message}, and these make our replies byte-identical to it.
 *
 * <p>Quotes: single, unless the text contains {@code '} and no {@code "}. Escaped: backslash, the chosen quote,
 * tab, newline, carriage return; a bytearray escapes {@code '} whatever the quote (bytes does not); for text, every
 * code point that Python's {@code str.isprintable()} rejects
 * (Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp, and Zs other than the space) as {@code \xhh}, {@code \\uhhhh} or
 * {@code \Uhhhhhhhh}; for bytes, everything below 0x20 and from 0x7f up as {@code \xhh}. (Categories come from the
 * JDK's Unicode tables, so a code point assigned after the JDK's Unicode version prints as unassigned.)
 */
final class PyRepr {

    private PyRepr() {
    }

    static String of(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(text.length() + 2).append(quote);
        text.codePoints().forEach(c -> {
            if (!escapeCommon(out, c, quote)) {
                if (printable(c)) {
                    out.appendCodePoint(c);
                } else if (c <= 0xff) {
                    out.append(String.format("\\x%02x", c));
                } else if (c <= 0xffff) {
                    out.append(String.format("\\u%04x", c));
                } else {
                    out.append(String.format("\\U%08x", c));
                }
            }
        });
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
            if (c == '\'') { // even inside "...": bytearray(b"\'"), as CPython's bytearray_repr writes it
                out.append("\\'");
            } else if (!escapeCommon(out, c, quote)) {
                if (c < 0x20 || c >= 0x7f) {
                    out.append(String.format("\\x%02x", c));
                } else {
                    out.append((char) c);
                }
            }
        }
        return out.append(quote).append(')').toString();
    }

    /** The escapes str and bytes share; true when {@code c} was written. */
    private static boolean escapeCommon(StringBuilder out, int c, char quote) {
        switch (c) {
            case '\\' -> out.append("\\\\");
            case '\t' -> out.append("\\t");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            default -> {
                if (c != quote) {
                    return false;
                }
                out.append('\\').append(quote);
            }
        }
        return true;
    }

    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
