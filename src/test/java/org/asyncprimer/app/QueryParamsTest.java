package org.asyncprimer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueryParamsTest {

    @ParameterizedTest
    @CsvSource({"0, 0", "60000, 60000", "00042, 42", "-0, 0"})
    void acceptsPlainIntegersInRange(String raw, int expected) {
        assertEquals(expected, QueryParams.parse(raw, 0, 60_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "60001", "+5", " 5", "5 ", "1e3", "0x10", "1.0", "--1", "5-",
        "9999999999999", "99999999999999999999", "٣"})
    void rejectsEverythingElse(String raw) {
        assertNull(QueryParams.parse(raw, 0, 60_000));
    }
}
