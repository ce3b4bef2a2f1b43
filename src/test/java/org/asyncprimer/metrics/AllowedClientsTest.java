package org.asyncprimer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Who may read /metrics: loopback always, listed addresses by value, everyone else never; names are refused. */
class AllowedClientsTest {

    private final AllowedClients onlyLoopback = new AllowedClients(List.of());
    private final AllowedClients listed = new AllowedClients(List.of("10.0.0.5", "fe80::1", "[2001:db8::7]"));

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "127.255.0.9", "::1", "0:0:0:0:0:0:0:1", "[::1]",
            "[0:0:0:0:0:0:0:1]", "::ffff:127.0.0.1"})
    void allowsLoopbackInEverySpellingAContainerReports(String address) {
        assertTrue(onlyLoopback.allows(address), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.5", "192.168.1.20", "8.8.8.8", "fe80::1", "::2", "128.0.0.1", "0.0.0.0"})
    void refusesEveryOtherAddressByDefault(String address) {
        assertFalse(onlyLoopback.allows(address), address);
    }

    @Test
    void allowsListedAddressesComparedByValueNotBySpelling() {
        assertTrue(listed.allows("10.0.0.5"));
        assertTrue(listed.allows("fe80:0:0:0:0:0:0:1"), "Tomcat's spelling of fe80::1");
        assertTrue(listed.allows("2001:db8:0:0:0:0:0:7"));
        assertTrue(listed.allows("127.0.0.1"), "loopback stays allowed");
        assertFalse(listed.allows("10.0.0.6"));
        assertFalse(listed.allows("10.0.0.50"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "metrics.example.com", "10.0.0", "999.1.1.1", "1:::2", "127.0.0.1x"})
    void neverResolvesOrAcceptsWhatIsNotAnIpLiteral(String address) {
        assertFalse(onlyLoopback.allows(address), address);
        assertFalse(AllowedClients.literal(address).isPresent(), address);
    }

    @Test
    void refusesAHostNameInTheListAtDeployment() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new AllowedClients(List.of("10.0.0.5", "prometheus.internal")));
        assertTrue(refused.getMessage().contains(MetricsSettings.ALLOW), refused.getMessage());
        assertTrue(refused.getMessage().contains("prometheus.internal"), refused.getMessage());
        assertEquals(false, onlyLoopback.allows(null));
    }
}
