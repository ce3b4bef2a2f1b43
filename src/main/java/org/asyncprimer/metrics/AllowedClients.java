package org.asyncprimer.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may read the figures: loopback clients (the machine itself, and a reverse proxy on it), and the addresses
 * the deployer lists. The check is on the address the container reports for the connection
 * ({@code getRemoteAddr()}), never on a header a client could write; behind a proxy on another host, list the
 * proxy's address and let the proxy decide who reaches it (see the README's nginx snippet).
 */
final class AllowedClients {

    private final Set<InetAddress> listed;

    /** {@code listed}: IP literals; anything else (a host name, a typo) is refused here, at deployment. */
    AllowedClients(Collection<String> listed) {
        this.listed = listed.stream().map(entry -> literal(entry).orElseThrow(() -> new IllegalArgumentException(
                        "context parameter " + MetricsSettings.ALLOW + " lists '" + entry
                                + "', which is not an IP address (the check compares addresses, not names)")))
                .collect(Collectors.toUnmodifiableSet());
    }

    boolean allows(String remoteAddr) {
        Optional<InetAddress> client = literal(remoteAddr);
        return client.isPresent() && (client.get().isLoopbackAddress() || listed.contains(client.get()));
    }

    /**
     * The address an IP literal names (IPv4, IPv6 in any of its spellings, in brackets or not), compared by value:
     * Tomcat reports ::1 as 0:0:0:0:0:0:0:1. Only a string of address characters reaches InetAddress, so nothing
     * here ever looks up a name.
     */
    static Optional<InetAddress> literal(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String bare = text.trim();
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        boolean ipv4 = bare.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                && Arrays.stream(bare.split("\\.")).allMatch(octet -> Integer.parseInt(octet) <= 255);
        boolean ipv6 = bare.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.-]+)?");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(bare));
        } catch (UnknownHostException notAnAddress) {
            return Optional.empty(); // e.g. 1:::2
        }
    }
}
