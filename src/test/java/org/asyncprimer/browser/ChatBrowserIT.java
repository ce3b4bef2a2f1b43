package org.asyncprimer.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.asyncprimer.it.DeployedOnTomcat11;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The chat page in two headless Chromiums on different transports, against the packaged WAR on Tomcat 11: they
 * talk, and a page whose connection is cut mid-conversation comes back and shows every message exactly once.
 */
class ChatBrowserIT extends DeployedOnTomcat11 {

    private static final Duration WAIT = Duration.ofSeconds(15);



    @Test
    void twoPagesTalkAndACutConnectionComesBackWithEveryMessageOnce() throws Exception {
        String room = "browser-" + System.nanoTime();
        try (Page alice = Page.open(room, "alice", "sse"); Page bob = Page.open(room, "bob", "websocket")) {
            alice.say("hello bob");
            bob.say("hi alice, over a WebSocket");
            assertTrue(Browser.waitFor(() -> alice.received().size() == 2 && bob.received().size() == 2, WAIT),
                    "both pages show both messages: " + alice.received() + " " + bob.received());

            // Alice's event stream drops; what is said meanwhile reaches her once she is back.
            alice.cut();
            bob.say("did you get this?");
            publish(room, "carol", "and this, posted with curl");
            alice.awaitConnected();
            bob.say("welcome back");
            assertTrue(Browser.waitFor(() -> alice.received().size() == 5 && bob.received().size() == 5, WAIT),
                    "five each: " + alice.received() + " " + bob.received());

            // Now Bob's socket drops, and Alice goes over to the long-poll: both resume after their last id.
            bob.cut();
            alice.switchTo("longpoll");
            alice.awaitConnected();
            alice.say("long-polling now");
            bob.awaitConnected();
            bob.say("same room, any transport");
            assertTrue(Browser.waitFor(() -> alice.received().size() == 7 && bob.received().size() == 7, WAIT),
                    "seven each: " + alice.received() + " " + bob.received());

            List<String> texts = List.of("hello bob", "hi alice, over a WebSocket", "did you get this?",
                    "and this, posted with curl", "welcome back", "long-polling now", "same room, any transport");
            for (Page page : List.of(alice, bob)) {
                assertEquals(texts, page.texts(), page.name + " shows each message once, in order");
                assertEquals(alice.received(), page.received(), page.name + "'s ids are Alice's");
                assertEquals(List.of(), page.state("gaps"), page.name + ": nothing was lost");
                assertEquals(List.of(), page.state("errors"), page.name + ": no errors");
                assertFalse(page.browser.text().contains("no longer kept"), page.browser.text());
            }
            alice.browser.screenshot("chatAlice");
            bob.browser.screenshot("chatBob");
        }
    }

    private static void publish(String room, String name, String text) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.uri("/chat/" + room))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=" + name + "&text="
                        + URLEncoder.encode(text, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
    }

    /** One person's chat page. */
    private static final class Page implements AutoCloseable {
        final Browser browser;
        final String name;

        private Page(Browser browser, String name) {
            this.browser = browser;
            this.name = name;
        }

        static Page open(String room, String name, String transport) throws Exception {
            Page page = new Page(Browser.launch(), name);
            page.browser.driver().get(app.uri("/chat.html?room=" + room + "&name=" + name + "&transport=" + transport)
                    .toString());
            page.awaitConnected();
            return page;
        }

        void awaitConnected() throws InterruptedException {
            assertTrue(Browser.waitFor(() -> Boolean.TRUE.equals(script("return !!(window.chatState"
                    + " && window.chatState.connected)")), WAIT), name + " connected: " + browser.text());
        }

        void say(String text) throws InterruptedException {
            int before = received().size();
            WebElement input = browser.driver().findElement(By.id("text"));
            input.sendKeys(text);
            browser.driver().findElement(By.cssSelector("#send button")).click();
            assertTrue(Browser.waitFor(() -> received().size() > before, WAIT), name + " sees what it said");
        }

        void cut() throws InterruptedException {
            script("window.chatState.cut()");
            assertTrue(Browser.waitFor(() -> Boolean.FALSE.equals(script("return window.chatState.connected")),
                    WAIT), name + " noticed the cut");
        }

        void switchTo(String transport) {
            new Select(browser.driver().findElement(By.id("transport"))).selectByValue(transport);
        }

        List<Object> received() {
            return state("received");
        }

        @SuppressWarnings("unchecked")
        List<Object> state(String field) {
            return new ArrayList<>((List<Object>) script("return window.chatState." + field + ".slice()"));
        }

        /** The texts of the message lines on the page, top to bottom. */
        List<String> texts() {
            return browser.driver().findElements(By.cssSelector("#messages .message .text")).stream()
                    .map(WebElement::getText).toList();
        }

        private Object script(String code) {
            return browser.driver().executeScript(code);
        }

        @Override
        public void close() throws Exception {
            browser.close();
        }
    }
}
