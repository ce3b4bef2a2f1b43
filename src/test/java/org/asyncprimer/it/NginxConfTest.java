package org.asyncprimer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The location a path gets, as nginx picks it, and the server's timeouts where the location sets none. */
class NginxConfTest {

    private final NginxConf conf = NginxConf.parse("""
            http {
                server {
                    proxy_read_timeout 150s;   # the server's
                    location / { proxy_pass http://app; }
                    location /chat/ { proxy_read_timeout 330s; proxy_send_timeout 331s; }
                    location /chat/lobby/ { proxy_read_timeout 20s; }
                    location = /status/stream { proxy_read_timeout 5s; }
                    location /status { proxy_read_timeout 40s; }
                }
            }
            """);

    @Test
    void theLongestPrefixWinsAndAnExactMatchBeatsAnyPrefix() {
        assertEquals(Duration.ofSeconds(330), conf.readTimeout("/chat/x"));
        assertEquals(Duration.ofSeconds(20), conf.readTimeout("/chat/lobby/socket"));
        assertEquals(Duration.ofSeconds(5), conf.readTimeout("/status/stream"));
        assertEquals(Duration.ofSeconds(40), conf.readTimeout("/status/streams"));
    }

    @Test
    void whatTheLocationDoesNotSetComesFromTheServerThenNginxsDefault() {
        assertEquals(Duration.ofSeconds(150), conf.readTimeout("/index.html"));
        assertEquals(Duration.ofSeconds(331), conf.sendTimeout("/chat/x"));
        assertEquals(Duration.ofSeconds(60), conf.sendTimeout("/chat/lobby/socket")); // no send timeout anywhere
        assertEquals(Duration.ofSeconds(60), conf.sendTimeout("/index.html"));
    }

    @Test
    void aRegexLocationIsRefusedRatherThanMisread() {
        assertThrows(IllegalArgumentException.class,
                () -> NginxConf.parse("server { location ~ \\.php$ { proxy_read_timeout 5s; } }"));
    }

    @Test
    void theShippedConfigOutwaitsAQuietConnectionOnlyWhenLonger() {
        NginxConf shipped = NginxConf.shipped();
        shipped.assertOutwaits("/chat/lobby", Duration.ofSeconds(329), "329 s");
        assertThrows(AssertionError.class, () -> shipped.assertOutwaits("/chat/lobby", Duration.ofSeconds(330), "330 s"));
    }
}
