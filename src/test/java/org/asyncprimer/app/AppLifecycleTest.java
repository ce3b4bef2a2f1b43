package org.asyncprimer.app;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AppLifecycleTest {

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final List<String> logged = new CopyOnWriteArrayList<>();

    private ServletContextEvent context(Map<String, String> params) {
        ServletContext context = (ServletContext) Proxy.newProxyInstance(ServletContext.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (self, method, args) -> switch (method.getName()) {
                    case "getInitParameter" -> params.get((String) args[0]);
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    case "log" -> logged.add((String) args[0]);
                    default -> null;
                });
        return new ServletContextEvent(context);
    }

    @Test
    void stopsQuietlyAfterAFailedStart() {
        AppLifecycle lifecycle = new AppLifecycle();
        ServletContextEvent event = context(Map.of(AppSettings.STALL_TIMEOUT_MS, "soon"));

        assertThrows(IllegalArgumentException.class, () -> lifecycle.contextInitialized(event),
                "a bad context parameter fails the deployment");
        assertDoesNotThrow(() -> lifecycle.contextDestroyed(event), "and does not bury that failure under another");
        assertEquals(1, logged.size(), logged.toString());
    }

    @Test
    void startsAndStopsTheApplication() {
        AppLifecycle lifecycle = new AppLifecycle();
        ServletContextEvent event = context(Map.of());

        lifecycle.contextInitialized(event);
        App app = App.from(event.getServletContext());
        lifecycle.contextDestroyed(event);

        assertTrue(app.scheduler().isTerminated());
    }
}
