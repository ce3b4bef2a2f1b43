package org.asyncprimer.app;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;

/**
 * Which of two media types an {@code Accept} header prefers, by its quality values (RFC 9110 12.5.1): a range's
 * {@code q=0} means "not acceptable", and the most specific range that matches a type gives its quality. The
 * endpoints that can stream events use it: {@code curl -H 'Accept: text/event-stream'} or an {@code EventSource}
 * gets the stream, {@code text/event-stream;q=0} or a header that ranks the other type higher does not.
 */
public final class Accept {

    private Accept() {
    }

    /** The request's Accept lines as one header (a client may send its list over several); null without one. */
    public static String header(HttpServletRequest request) {
        Enumeration<String> lines = request.getHeaders("Accept");
        return lines == null || !lines.hasMoreElements() ? null : String.join(",", Collections.list(lines));
    }

    /**
     * True when {@code accept} names {@code wanted} itself (a wildcard is not asking for it) with a quality above 0
     * and at least the one it gives {@code otherwise}.
     */
    public static boolean prefers(String accept, String wanted, String otherwise) {
        if (accept == null) {
            return false;
        }
        double named = -1;
        double other = 0;
        int otherSpecificity = -1;
        for (String range : accept.toLowerCase(Locale.ROOT).split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim();
            double q = quality(parts);
            if (type.equals(wanted)) {
                named = q;
            }
            int specificity = specificity(type, otherwise);
            if (specificity > otherSpecificity) {
                otherSpecificity = specificity;
                other = q;
            }
        }
        return named > 0 && named >= other;
    }

    /** How specifically {@code range} matches {@code type}: 2 the type itself, 1 its {@code type/*}, 0 any, else -1. */
    private static int specificity(String range, String type) {
        if (range.equals(type)) {
            return 2;
        }
        if (range.endsWith("/*") && type.startsWith(range.substring(0, range.length() - 1))) {
            return 1;
        }
        return range.equals("*/*") ? 0 : -1;
    }

    /** The range's {@code q}, 1 without one; a malformed one counts as 1, as if it were not there. */
    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            if (param.startsWith("q=")) {
                try {
                    double q = Double.parseDouble(param.substring(2).trim());
                    return q >= 0 && q <= 1 ? q : 1;
                } catch (NumberFormatException malformed) {
                    return 1;
                }
            }
        }
        return 1;
    }
}
