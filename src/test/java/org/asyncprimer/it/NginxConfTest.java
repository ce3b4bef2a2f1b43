package org.asyncprimer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The location a path gets, as nginx picks it, its timeout in nginx's syntax, and what is refused, not misread. */
class NginxConfTest {

    private final NginxConf conf = NginxConf.parse("""
            http {
                map $http_upgrade $connection_upgrade { default ''; }
                server {
                    proxy_read_timeout 150s;   # the server's; a { in a comment is no block
                    location / { proxy_pass http://app; }
                    location /chat/ { proxy_read_timeout 330s; }
                    location /chat/lobby/ { proxy_read_timeout 20; }
                    location = /status/stream { proxy_read_timeout 5s; }
                    location /status { proxy_read_timeout 1m30s; }
                    location ^~ /fetch { proxy_read_timeout 5m; }
                    location /metrics { proxy_read_timeout 2500ms; }
                }
            }
            """);

    @Test
    void theLongestPrefixWinsAndAnExactMatchBeatsAnyPrefix() {
        assertEquals(Duration.ofSeconds(330), conf.readTimeout("/chat/x"));
        assertEquals(Duration.ofSeconds(20), conf.readTimeout("/chat/lobby/socket")); // a bare number is seconds
        assertEquals(Duration.ofSeconds(5), conf.readTimeout("/status/stream"));
        assertEquals(Duration.ofSeconds(90), conf.readTimeout("/status/streams"));
        assertEquals(Duration.ofMinutes(5), conf.readTimeout("/fetch?timeout=1"));
        assertEquals(Duration.ofMillis(2500), conf.readTimeout("/metrics"));
    }

    @Test
    void whatTheLocationDoesNotSetComesFromTheServerThenNginxsDefault() {
        assertEquals(Duration.ofSeconds(150), conf.readTimeout("/index.html"));
        assertEquals(Duration.ofSeconds(60), NginxConf.parse("server { location / { } }").readTimeout("/x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "server { location ~ \\.php$ { proxy_read_timeout 5s; } }",                 // a regex location
        "server { location  ~* /x { } }",
        "server { location /a { location /a/b { proxy_read_timeout 5s; } } }",      // nested
        "server { location /a { if ($x) { proxy_read_timeout 5s; } } }",             // a block inside
        "server { location /a { proxy_read_timeout 5x; } }",                         // not nginx's syntax
        "server { location /a { proxy_read_timeout 5s; proxy_read_timeout 6s; } }",
        "server { }",
    })
    void whatIsNotUnderstoodIsRefusedRatherThanMisread(String config) {
        assertThrows(IllegalArgumentException.class, () -> NginxConf.parse(config));
    }

    @Test
    void aQuietConnectionIsOutwaitedOnlyByALongerTimeout() {
        conf.assertOutwaits("/chat/lobby", Duration.ofSeconds(329), "329 s");
        assertThrows(AssertionError.class, () -> conf.assertOutwaits("/chat/lobby", Duration.ofSeconds(330), "330 s"));
    }
}
