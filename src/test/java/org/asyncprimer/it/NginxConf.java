package org.asyncprimer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy timeouts that the shipped {@code docker/nginx.conf} gives a request path: the directive of the
 * location nginx picks for it (an exact {@code location =} match, else the longest prefix), or the server's.
 * Enough of nginx's rules for that file, which has one server and no regex locations; a construct it does not
 * know fails the parse rather than be misread.
 */
public final class NginxConf {

    private record Location(boolean exact, String path, Map<String, Duration> timeouts) {
    }

    private static final Pattern LOCATION = Pattern.compile("location\\s+(=\\s*)?(\\S+)\\s*\\{([^{}]*)}");
    private static final Pattern TIMEOUT = Pattern.compile("(proxy_\\w+_timeout)\\s+(\\d+)s\\s*;");

    private final Map<String, Duration> server;
    private final List<Location> locations;

    private NginxConf(Map<String, Duration> server, List<Location> locations) {
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
        if (text.contains("location ~")) {
            throw new IllegalArgumentException("regex locations are not understood here");
        }
        List<Location> locations = new ArrayList<>();
        Matcher location = LOCATION.matcher(text);
        StringBuilder outside = new StringBuilder();
        while (location.find()) {
            locations.add(new Location(location.group(1) != null, location.group(2), timeouts(location.group(3))));
            location.appendReplacement(outside, "");
        }
        location.appendTail(outside);
        if (locations.isEmpty()) {
            throw new IllegalArgumentException("no location blocks found");
        }
        return new NginxConf(timeouts(outside.toString()), locations);
    }

    private static Map<String, Duration> timeouts(String block) {
        Map<String, Duration> found = new HashMap<>();
        Matcher timeout = TIMEOUT.matcher(block);
        while (timeout.find()) {
            found.put(timeout.group(1), Duration.ofSeconds(Long.parseLong(timeout.group(2))));
        }
        return found;
    }

    /** How long nginx waits for the node to send something on {@code path} before it closes the connection. */
    public Duration readTimeout(String path) {
        return timeout(path, "proxy_read_timeout");
    }

    /** How long nginx waits for the client to take what it sends on {@code path}. */
    public Duration sendTimeout(String path) {
        return timeout(path, "proxy_send_timeout");
    }

    /**
     * Fails unless nginx waits longer than {@code quiet}, both for the node and for the client, on {@code path}:
     * a connection that is quiet on purpose for that long must not be cut.
     */
    public void assertOutwaits(String path, Duration quiet, String why) {
        for (Duration timeout : List.of(readTimeout(path), sendTimeout(path))) {
            if (timeout.compareTo(quiet) <= 0) {
                throw new AssertionError("docker/nginx.conf gives " + path + " " + timeout.toSeconds() + " s, but "
                        + why + " may be quiet for " + quiet.toSeconds() + " s");
            }
        }
    }

    private Duration timeout(String path, String directive) {
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
        Duration own = picked == null ? null : picked.timeouts().get(directive);
        // nginx's own default when neither the location nor the server sets it.
        return own != null ? own : server.getOrDefault(directive, Duration.ofSeconds(60));
    }
}
