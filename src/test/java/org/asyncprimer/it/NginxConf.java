package org.asyncprimer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code proxy_read_timeout} that the shipped {@code docker/nginx.conf} gives a request path: the directive of
 * the location nginx picks for it (an exact {@code location =} match, else the longest prefix), or the server's, or
 * nginx's 60 s. That timeout is how long nginx waits for the node to send something (on a WebSocket, for traffic
 * either way) before it closes the connection. Enough of nginx's rules for that file, which has one server, no
 * regex and no nested locations; what it does not understand (a regex location, a block inside a location, a
 * timeout it cannot read) fails the parse rather than be misread.
 */
public final class NginxConf {

    private record Location(boolean exact, String path, Duration readTimeout) {
    }

    private static final Pattern LOCATION = Pattern.compile("location\\s+(=|\\^~)?\\s*([^\\s{]+)\\s*\\{([^{}]*)}");
    private static final Pattern READ_TIMEOUT = Pattern.compile("proxy_read_timeout\\s+([^;]*);");
    /** nginx's time syntax: {@code 90}, {@code 90s}, {@code 1m30s}, {@code 500ms}, ... (a bare number is seconds). */
    private static final Pattern TIME = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    /** nginx's own proxy_read_timeout. */
    private static final Duration NGINX_DEFAULT = Duration.ofSeconds(60);

    private final Duration server;
    private final List<Location> locations;

    private NginxConf(Duration server, List<Location> locations) {
        this.server = server;
        this.locations = locations;
    }

    /** {@link Nginx#CONFIG}, as shipped. */
    public static NginxConf shipped() {
        try {
            return parse(Files.readString(Nginx.CONFIG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NginxConf parse(String config) {
        String text = config.replaceAll("#[^\n]*", "");
        List<Location> locations = new ArrayList<>();
        Matcher location = LOCATION.matcher(text);
        StringBuilder outside = new StringBuilder();
        while (location.find()) {
            locations.add(new Location("=".equals(location.group(1)), location.group(2),
                    blocksTimeout(location.group(3))));
            location.appendReplacement(outside, "");
        }
        location.appendTail(outside);
        if (locations.isEmpty() || outside.toString().contains("location")) {
            throw new IllegalArgumentException("a location block that is not understood here (regex, nested, or"
                    + " with braces inside) in:\n" + outside);
        }
        return new NginxConf(blocksTimeout(outside.toString()), locations);
    }

    /** The block's own proxy_read_timeout, or null. */
    private static Duration blocksTimeout(String block) {
        Matcher directive = READ_TIMEOUT.matcher(block);
        Duration found = null;
        while (directive.find()) {
            if (found != null) {
                throw new IllegalArgumentException("proxy_read_timeout twice in one block");
            }
            found = time(directive.group(1).trim());
        }
        return found;
    }

    private static Duration time(String value) {
        Matcher part = TIME.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.lookingAt()) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2) == null ? "s" : part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = part.end();
            part.region(end, value.length());
        }
        if (end == 0 || end != value.length()) {
            throw new IllegalArgumentException("a time nginx's syntax does not allow, or this parser does not know: '"
                    + value + "'");
        }
        return total;
    }

    /** How long nginx waits for the node to send something on {@code path} before it closes the connection. */
    public Duration readTimeout(String path) {
        Location picked = null;
        for (Location candidate : locations) {
            if (candidate.exact() ? candidate.path().equals(path) : path.startsWith(candidate.path())) {
                if (candidate.exact()) {
                    picked = candidate;
                    break;
                }
                if (picked == null || candidate.path().length() > picked.path().length()) {
                    picked = candidate;
                }
            }
        }
        if (picked != null && picked.readTimeout() != null) {
            return picked.readTimeout();
        }
        return server != null ? server : NGINX_DEFAULT;
    }

    /**
     * Fails unless nginx waits longer than {@code quiet} for the node on {@code path}: a connection that is quiet on
     * purpose for that long must not be cut.
     */
    public void assertOutwaits(String path, Duration quiet, String why) {
        Duration timeout = readTimeout(path);
        if (timeout.compareTo(quiet) <= 0) {
            throw new AssertionError("docker/nginx.conf gives " + path + " " + timeout.toSeconds() + " s, but "
                    + why + " may be quiet for " + quiet.toSeconds() + " s");
        }
    }
}
