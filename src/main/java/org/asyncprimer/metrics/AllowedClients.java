package org.asyncprimer.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * Who may read the figures: loopback clients (the machine itself, and a reverse proxy on it), and the addresses
 * the deployer lists. The check is on the address the container reports for the connection
 * ({@code getRemoteAddr()}), never on a header a client could write; behind a proxy on another host, list the
 * proxy's address and let the proxy decide who reaches it (see the README's nginx snippet).
 */
final class AllowedClients {

    private final Set<String> listed;

    AllowedClients(Set<String> listed) {
        this.listed = Set.copyOf(listed);
    }

    boolean allows(String remoteAddr) {
        if (remoteAddr == null || remoteAddr.isEmpty()) {
            return false;
        }
        if (listed.contains(remoteAddr)) {
            return true;
        }
        return isLoopbackLiteral(remoteAddr);
    }

    /**
     * 127.0.0.0/8 and ::1 (also as ::ffff:127.x.y.z, and in brackets): getRemoteAddr() is always an IP literal.
     * Nothing here resolves a name: an IPv6 literal (it has a colon) is parsed without a lookup, and an IPv4 one is
     * matched as text.
     */
    private static boolean isLoopbackLiteral(String address) {
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        if (literal.indexOf(':') < 0) {
            return literal.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        }
        if (!literal.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?")) {
            return false; // not an IPv6 literal, which InetAddress might try to resolve as a name
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException notAnAddress) {
            return false;
        }
    }
}
