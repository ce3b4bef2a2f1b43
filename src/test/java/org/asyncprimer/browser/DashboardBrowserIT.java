package org.asyncprimer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.DeployedOnTomcat11;
import org.asyncprimer.it.Http;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The dashboard in a real browser, while the test holds a few hundred streams on the same server. */
class DashboardBrowserIT extends DeployedOnTomcat11 {

    private static final int STREAMS = 300;



    @Test
    void drawsThePeakOfHeldStreamsAndTheFallBackToZero() throws Exception {
        try (Browser browser = Browser.launch()) {
            try {
                browser.driver().get(app.uri("/dashboard.html").toString());
                assertTrue(Browser.waitFor(() -> samples(browser).size() >= 2, Duration.ofSeconds(15)),
                        "the page gets samples: " + browser.text());

                // Held for 4 s each, opened at once: at least one sample a second falls where all are held.
                ExecutorService load = Executors.newSingleThreadExecutor();
                Future<List<Http.Streamed>> streams = load.submit(() ->
                        Http.streamConcurrently(app.uri("/stream?first=2000&second=2000"), STREAMS));
                List<Http.Streamed> done = streams.get(60, TimeUnit.SECONDS);
                load.shutdown();
                done.forEach(r -> assertEquals(List.of("START", "MIDDLE", "END"), r.texts()));

                assertTrue(Browser.waitFor(() -> peak(browser) >= STREAMS * 0.9 && lastHeld(browser) == 0,
                        Duration.ofSeconds(15)), "the page saw the peak (" + peak(browser) + " of " + STREAMS
                        + ") and the fall back to zero (now " + lastHeld(browser) + ")");
                // The drawing itself: a line for the stream kind, and its axes labelled.
                assertTrue(browser.driver().findElements(By.cssSelector("#held path[data-series='stream']")).size() == 1);
                String heldChart = browser.driver().findElement(By.id("held")).getText();
                assertTrue(heldChart.contains("Held connections, by kind (connections)")
                        && heldChart.contains("seconds ago") && heldChart.contains("stream"), heldChart);
                String threads = browser.driver().findElement(By.id("threads-note")).getText();
                assertTrue(threads.contains("Tomcat JMX"), "request threads read from Tomcat: " + threads);
            } finally {
                browser.screenshot("dashboard");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> samples(Browser browser) {
        Object samples = browser.driver().executeScript(
                "return window.dashboardState ? window.dashboardState.samples : []");
        return (List<Map<String, Object>>) samples;
    }

    private static long held(Map<String, Object> sample) {
        Object stream = ((Map<?, ?>) sample.get("held")).get("stream");
        return stream == null ? -1 : ((Number) stream).longValue();
    }

    private static long peak(Browser browser) {
        return samples(browser).stream().mapToLong(DashboardBrowserIT::held).max().orElse(-1);
    }

    private static long lastHeld(Browser browser) {
        List<Map<String, Object>> samples = samples(browser);
        return samples.isEmpty() ? -1 : held(samples.get(samples.size() - 1));
    }
}
