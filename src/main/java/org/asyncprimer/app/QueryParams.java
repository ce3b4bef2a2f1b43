package org.asyncprimer.app;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * Bounded integer query parameters: everything a client controls has a range, and a value outside it is a
 * 400 with one line that names the parameter and the range, never a 500 and never a silently clamped value.
 */
public final class QueryParams {

    /** A query parameter that is malformed or out of range; its message is the one-line 400 body. */
    public static final class BadParameter extends Exception {
        private static final long serialVersionUID = 1L;

        public BadParameter(String message) {
            super(message, null, false, false);
        }

        /** Answers 400 with the message as a one-line plain-text body. */
        public void send(HttpServletResponse response) throws IOException {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().println(getMessage());
        }
    }

    /** Reads a request's settings from its query, e.g. {@code StreamTimings::from}. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(HttpServletRequest request) throws BadParameter;

        /**
         * The request's settings, or empty after answering 400 with the one-line reason: the servlet returns then.
         * <pre>{@code
         * Optional<StreamTimings> timings = QueryParams.reader(StreamTimings::from).readOr400(request, response);
         * if (timings.isEmpty()) {
         *     return;
         * }
         * }</pre>
         * (An instance method, not a generic static one: the Eclipse Transformer that makes the javax WAR leaves
         * the servlet types in the generic signature of a method with type parameters of its own unrenamed.)
         */
        default Optional<T> readOr400(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                return Optional.of(read(request));
            } catch (BadParameter e) {
                e.send(response);
                return Optional.empty();
            }
        }
    }

    private QueryParams() {
    }

    /** The reader, typed: {@code QueryParams.reader(StreamTimings::from).readOr400(request, response)}. */
    public static <T> Reader<T> reader(Reader<T> reader) {
        return reader;
    }

    /**
     * The parameter's value, {@code fallback} when absent, or BadParameter when not an integer in [min, max] or
     * given more than once: {@code ?timeout=1&timeout=300000} is ambiguous (getParameter takes the first, a proxy or
     * filter in front may read the last), and answering one of them silently is the clamping this class refuses.
     */
    public static int bounded(HttpServletRequest request, String name, int fallback, int min, int max)
            throws BadParameter {
        String raw = once(request, name);
        if (raw == null) {
            return fallback;
        }
        Integer value = parse(raw, min, max);
        if (value == null) {
            throw new BadParameter(name + " must be an integer from " + min + " to " + max + ", got '"
                    + abbreviate(raw) + "'");
        }
        return value;
    }

    /** The parameter's one value, null when absent, or BadParameter when given more than once (see above). */
    public static String once(HttpServletRequest request, String name) throws BadParameter {
        String[] values = request.getParameterValues(name);
        if (values == null) {
            return null;
        }
        if (values.length > 1) {
            throw new BadParameter(givenMoreThanOnce(name, values.length));
        }
        return values[0];
    }

    /** The line for a parameter given {@code count} times, also for a WebSocket's handshake query. */
    public static String givenMoreThanOnce(String name, int count) {
        return name + " must be given once, got " + count + " values";
    }

    static Integer parse(String raw, int min, int max) {
        // Plain decimal digits only: no '+', no spaces, no 1e3; and short enough that it cannot overflow a long.
        if (raw.isEmpty() || raw.length() > 12 || !raw.chars().allMatch(c -> c == '-' || (c >= '0' && c <= '9'))) {
            return null;
        }
        try {
            long value = Long.parseLong(raw);
            return value < min || value > max ? null : (int) value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String abbreviate(String raw) {
        String printable = raw.codePoints().limit(24)
                .map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return raw.codePointCount(0, raw.length()) > 24 ? printable + "..." : printable;
    }
}
