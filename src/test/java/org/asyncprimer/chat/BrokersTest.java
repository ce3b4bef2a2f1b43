package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Where the Redis URL comes from: the context parameter, else the system property, else the environment. */
class BrokersTest {

    private static UnaryOperator<String> from(Map<String, String> values) {
        return values::get;
    }

    private static final UnaryOperator<String> NONE = name -> null;

    @Test
    void theContextParameterComesFirstThenTheSystemPropertyThenTheEnvironment() {
        UnaryOperator<String> context = from(Map.of("asyncprimer.chat.redis", "redis://context:1"));
        UnaryOperator<String> property = from(Map.of("asyncprimer.chat.redis", "redis://property:2"));
        UnaryOperator<String> environment = from(Map.of("ASYNCPRIMER_CHAT_REDIS", "redis://environment:3"));

        assertEquals("redis://context:1", Brokers.redisUrl(context, property, environment));
        assertEquals("redis://property:2", Brokers.redisUrl(NONE, property, environment));
        assertEquals("redis://environment:3", Brokers.redisUrl(NONE, NONE, environment));
    }

    @Test
    void blankMeansUnsetAndValuesAreTrimmed() {
        UnaryOperator<String> blank = from(Map.of("asyncprimer.chat.redis", "  "));
        UnaryOperator<String> padded = from(Map.of("ASYNCPRIMER_CHAT_REDIS", " redis://r:6379/2 "));

        assertEquals("redis://r:6379/2", Brokers.redisUrl(blank, blank, padded));
        assertNull(Brokers.redisUrl(blank, NONE, NONE), "unset everywhere: the in-memory broker");
    }
}
