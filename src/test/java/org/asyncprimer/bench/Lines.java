package org.asyncprimer.bench;

import java.util.Arrays;

/**
 * A body that arrives in pieces, split into lines at {@code '\n'}: each whole line is handed on where it lies in the
 * piece, without a copy; only a line cut by the end of a piece waits, copied, for the rest. Lines over 64 KiB are
 * an {@link IllegalArgumentException} (the chat's are a few hundred bytes), which fails the subscriber.
 */
final class Lines {

    /** Takes one line, {@code array[from, to)} without its {@code '\n'}; valid only during the call. */
    interface Line {
        void line(byte[] array, int from, int to);
    }

    private static final int MAX_LINE = 64 * 1024;

    private byte[] carry = new byte[512];
    private int carried;

    /** Hands every line that {@code array[from, to)} completes to {@code line}; keeps what is left of the last. */
    void feed(byte[] array, int from, int to, Line line) {
        int at = from;
        if (carried > 0) {
            int end = indexOfNewline(array, at, to);
            keep(array, at, end < 0 ? to : end);
            if (end < 0) {
                return;
            }
            line.line(carry, 0, carried);
            carried = 0;
            at = end + 1;
        }
        for (int end; (end = indexOfNewline(array, at, to)) >= 0; at = end + 1) {
            line.line(array, at, end);
        }
        keep(array, at, to);
    }

    private void keep(byte[] array, int from, int to) {
        int n = to - from;
        if (carried + n > MAX_LINE) {
            throw new IllegalArgumentException("a line over " + MAX_LINE + " bytes");
        }
        if (carried + n > carry.length) {
            carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + n));
        }
        System.arraycopy(array, from, carry, carried, n);
        carried += n;
    }

    private static int indexOfNewline(byte[] array, int from, int to) {
        for (int i = from; i < to; i++) {
            if (array[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
