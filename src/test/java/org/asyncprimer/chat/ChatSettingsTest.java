package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.servlet.ServletContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatSettingsTest {

    private static ServletContext context(Map<String, String> parameters) {
        return (ServletContext) Proxy.newProxyInstance(ChatSettingsTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> method.getName().equals("getInitParameter") ? parameters.get(args[0]) : null);
    }

    @Test
    void appliesTheIssuesDefaults() {
        assertEquals(new ChatSettings(1000, 10_000, 64L << 20, Duration.ofHours(1), Duration.ofSeconds(15)),
                ChatSettings.from(context(Map.of())));
    }

    @Test
    void readsEachContextParameter() {
        ChatSettings settings = ChatSettings.from(context(Map.of(
                "asyncprimer.chat.history", "50",
                "asyncprimer.chat.maxRooms", "3",
                "asyncprimer.chat.maxRetainedBytes", "1048576",
                "asyncprimer.chat.roomIdleMs", "2000",
                "asyncprimer.chat.heartbeatMs", "100")));

        assertEquals(new ChatSettings(50, 3, 1 << 20, Duration.ofSeconds(2), Duration.ofMillis(100)), settings);
        assertEquals(Duration.ofMillis(500), settings.sweepEvery());
        assertEquals(Duration.ofMinutes(1), ChatSettings.from(context(Map.of())).sweepEvery());
    }

    @Test
    void refusesToDeployWithAValueOutOfRange() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ChatSettings.from(context(Map.of("asyncprimer.chat.history", "0"))));
        assertEquals("context parameter asyncprimer.chat.history must be an integer from 1 to 100000, got '0'",
                bad.getMessage());
    }
}
