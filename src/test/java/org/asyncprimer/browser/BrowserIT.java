package org.asyncprimer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.asyncprimer.it.DeployedOnTomcat11;
import org.asyncprimer.it.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** What a person does with the pages, in a real browser, against the packaged WAR on embedded Tomcat 11. */
class BrowserIT extends DeployedOnTomcat11 {

    /** A log line of the demo pages: "1.23 s" then the text. */
    private static final Pattern LOG_LINE = Pattern.compile("(\\d+\\.\\d\\d) s\\s*(.+)");

    private Browser browser;


    @BeforeEach
    void launch() throws Exception {
        browser = Browser.launch();
    }

    @AfterEach
    void screenshotAndQuit(TestInfo test) throws Exception {
        try {
            browser.screenshot(test.getTestMethod().orElseThrow().getName());
        } finally {
            browser.close();
        }
    }

    @Test
    void navigatingToStreamShowsEachWordWhenItArrives() throws Exception {
        browser.driver().get(app.uri("/stream?first=1500&second=1500").toString());

        // START must be on screen while MIDDLE is not, and MIDDLE while END is not: the browser renders the
        // chunks as they come instead of holding the first bytes back.
        assertTrue(Browser.waitFor(() -> browser.text().contains("START"), Duration.ofSeconds(10)), "START shown");
        assertFalse(browser.text().contains("MIDDLE"), "START alone first: " + browser.text());
        assertTrue(Browser.waitFor(() -> browser.text().contains("MIDDLE"), Duration.ofSeconds(10)), "MIDDLE shown");
        assertFalse(browser.text().contains("END"), "MIDDLE before END: " + browser.text());
        assertTrue(Browser.waitFor(() -> browser.text().contains("END"), Duration.ofSeconds(10)), "END shown");
    }

    @Test
    void streamPageShowsThePlainAndTheEventSourceForm() throws Exception {
        browser.driver().get(app.uri("/stream.html").toString());
        WebElement first = waitForElement("first");
        setValue(first, "400");
        setValue(browser.driver().findElement(By.id("second")), "400");
        browser.driver().findElement(By.id("run")).click();

        assertTrue(Browser.waitFor(() -> log("plain").contains("(end of body)")
                && log("sse").contains("(closed)"), Duration.ofSeconds(15)), "both forms finished");
        for (String form : List.of("plain", "sse")) {
            List<Double> times = new ArrayList<>();
            List<String> words = new ArrayList<>();
            for (String line : log(form).split("\n")) {
                Matcher m = LOG_LINE.matcher(line.trim());
                if (m.matches() && m.group(2).matches("START|MIDDLE|END")) {
                    times.add(Double.parseDouble(m.group(1)));
                    words.add(m.group(2));
                }
            }
            assertEquals(List.of("START", "MIDDLE", "END"), words, form + ": " + log(form));
            // At least half the planned 400 ms: a buffered body shows all three at once.
            assertTrue(times.get(1) - times.get(0) >= 0.2 && times.get(2) - times.get(1) >= 0.2,
                    form + " chunks arrive apart, with their times: " + times);
        }
    }

    @Test
    void fetchPageShowsTheLinesOneByOne() throws Exception {
        browser.driver().get(app.uri("/fetch.html").toString());
        setValue(waitForElement("count"), "3");
        setValue(browser.driver().findElement(By.id("interval")), "400");
        browser.driver().findElement(By.id("run")).click();

        assertTrue(Browser.waitFor(() -> log("lines").contains("(end of body)"), Duration.ofSeconds(15)),
                "the body ended: " + log("lines"));
        List<Double> times = new ArrayList<>();
        for (String line : log("lines").split("\n")) {
            Matcher m = LOG_LINE.matcher(line.trim());
            if (m.matches() && m.group(2).startsWith("{\"seq\":")) {
                times.add(Double.parseDouble(m.group(1)));
                assertTrue(m.group(2).startsWith("{\"seq\":" + times.size() + ",\"of\":3,"), m.group(2));
            }
        }
        assertEquals(3, times.size(), log("lines"));
        assertTrue(times.get(1) - times.get(0) >= 0.2 && times.get(2) - times.get(1) >= 0.2,
                "one by one (at least half the planned 400 ms apart): " + times);
    }

    @Test
    void websocketPageGreetsEchoesAndShowsTheClose() throws Exception {
        browser.driver().get(app.uri("/websocket").toString());

        assertTrue(Browser.waitFor(() -> log("log").contains("Your message was: 'Hello, world'"),
                Duration.ofSeconds(10)), "the greeting's reply: " + log("log"));
        WebElement message = browser.driver().findElement(By.id("message"));
        message.clear();
        message.sendKeys("it's typed");
        message.submit();
        assertTrue(Browser.waitFor(() -> log("log").contains("Your message was: \"it's typed\""),
                Duration.ofSeconds(10)), "the typed message's reply: " + log("log"));

        browser.driver().findElement(By.id("close")).click();
        assertTrue(Browser.waitFor(() -> log("log").contains("closed: code 1000"), Duration.ofSeconds(10)),
                "the close and its code: " + log("log"));
    }

    @Test
    void indexLinksToEveryDemoAndEveryLinkWorks() throws Exception {
        browser.driver().get(app.uri("/").toString());
        assertTrue(Browser.waitFor(() -> !browser.driver().findElements(By.tagName("a")).isEmpty(),
                Duration.ofSeconds(10)), "links on the index");

        List<String> hrefs = browser.driver().findElements(By.tagName("a")).stream()
                .map(a -> a.getDomAttribute("href")).toList();
        for (String demo : List.of("stream.html", "fetch.html", "websocket", "stream")) {
            assertTrue(hrefs.contains(demo), "index links " + demo + ": " + hrefs);
        }
        for (WebElement link : browser.driver().findElements(By.tagName("a"))) {
            String url = link.getDomProperty("href"); // resolved against the page
            Http.Response response = Http.send("HEAD", java.net.URI.create(url), "Accept", "text/html");
            assertEquals(200, response.status(), url);
        }
    }

    private WebElement waitForElement(String id) throws InterruptedException {
        assertTrue(Browser.waitFor(() -> !browser.driver().findElements(By.id(id)).isEmpty(), Duration.ofSeconds(10)),
                "#" + id + " on the page");
        return browser.driver().findElement(By.id(id));
    }

    private void setValue(WebElement input, String value) {
        input.clear();
        input.sendKeys(value);
    }

    private String log(String id) {
        List<WebElement> found = browser.driver().findElements(By.id(id));
        return found.isEmpty() ? "" : found.get(0).getText();
    }
}
