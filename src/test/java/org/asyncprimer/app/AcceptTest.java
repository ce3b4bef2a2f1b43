package org.asyncprimer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptTest {

    private static final String EVENTS = "text/event-stream";
    private static final String NDJSON = "application/x-ndjson";

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL | false",
        "'' | false",
        "text/event-stream | true",
        "Text/Event-Stream | true",
        "text/event-stream;charset=utf-8 | true",
        "application/json, text/event-stream | true",
        "*/* | false",
        "text/* | false",
        "text/html,application/xhtml+xml,*/*;q=0.8 | false",
        "text/event-stream;q=0 | false",
        "text/event-stream; q=0.0 | false",
        "text/event-stream;q=0.5, application/x-ndjson | false",
        "text/event-stream;q=0.5, application/* | false",
        "text/event-stream;q=0.5, */* | false",
        "text/event-stream;q=0.5, application/*, application/x-ndjson;q=0.4 | true",
        "text/event-stream;q=0.5 | true",
        "text/event-stream, application/x-ndjson | true",
        "application/x-ndjson;q=0.9, text/event-stream | true",
        "text/event-stream;q=x | true",
        "text/event-stream;q=7 | true",
    })
    void prefersTheNamedTypeByQuality(String accept, boolean events) {
        assertEquals(events, Accept.prefers(accept, EVENTS, NDJSON));
    }
}
