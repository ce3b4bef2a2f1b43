package org.asyncprimer.websocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The code points that the reference CPython's {@code repr()} escapes ({@code str.isprintable()} is False), read once
 * from {@code nonprintable-ranges.txt}, which {@code src/build/gen-nonprintable-ranges.py} writes with Debian's
 * {@code /usr/bin/python3}. A table of Python's own and not {@link Character#getType}: the JDK's Unicode version
 * differs from Python's and from JDK to JDK (JDK 17 knows Unicode 13, CPython 3.11 knows 14), and the echo must
 * answer as the seed does on every JVM (issue #10).
 */
final class NonPrintable {

    private static final String TABLE = "nonprintable-ranges.txt";

    /** The Unicode version of the Python that wrote the table ({@code unicodedata.unidata_version}). */
    static final String UNIDATA_VERSION;

    /** Sorted, disjoint ranges: {@code FIRSTS[i]..LASTS[i]}, inclusive. */
    private static final int[] FIRSTS;
    private static final int[] LASTS;

    static {
        String unidata = null;
        int[] firsts = new int[1024];
        int[] lasts = new int[1024];
        int n = 0;
        try (InputStream in = NonPrintable.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException(TABLE + " is missing from the classpath");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("# unidata: ")) {
                    unidata = line.substring("# unidata: ".length());
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    int dots = line.indexOf("..");
                    int first = Integer.parseInt(line.substring(0, dots), 16);
                    int last = Integer.parseInt(line.substring(dots + 2), 16);
                    if (first > last || last > Character.MAX_CODE_POINT || (n > 0 && first <= lasts[n - 1])) {
                        throw new IllegalStateException(TABLE + ": range out of order: " + line);
                    }
                    if (n == firsts.length) {
                        firsts = Arrays.copyOf(firsts, n * 2);
                        lasts = Arrays.copyOf(lasts, n * 2);
                    }
                    firsts[n] = first;
                    lasts[n++] = last;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(TABLE, e);
        }
        if (unidata == null || n == 0) {
            throw new IllegalStateException(TABLE + " has no '# unidata:' header or no ranges");
        }
        UNIDATA_VERSION = unidata;
        FIRSTS = Arrays.copyOf(firsts, n);
        LASTS = Arrays.copyOf(lasts, n);
    }

    private NonPrintable() {
    }

    static boolean contains(int codePoint) {
        int i = Arrays.binarySearch(FIRSTS, codePoint);
        if (i >= 0) {
            return true;
        }
        int before = -i - 2; // the last range that starts below codePoint
        return before >= 0 && codePoint <= LASTS[before];
    }
}
