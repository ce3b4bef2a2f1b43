package org.asyncprimer.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.GetOnlyAnswers;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.RawWebSocket;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@OnEveryContainer
class WebSocketIT extends Deployed {

    private static final int MAX_MESSAGE = 65_536;


    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        Hello, world     | `Your message was: 'Hello, world'`
        it's             | `Your message was: "it's"`
        `a'b"c`          | `Your message was: 'a\\'b"c'`
        héllo ✓          | `Your message was: 'héllo ✓'`
        😀               | `Your message was: '😀'`
        """)
    void answersLikeTheSeed(String message, String reply) throws Exception {
        try (WsClient client = WsClient.open(app.base())) {
            assertEquals(reply, client.roundTrip(message));
        }
    }

    @Test
    void quotesInvisibleCharactersLikeTheSeed() throws Exception {
        try (WsClient client = WsClient.open(app.base())) {
            assertEquals("Your message was: '\\n'", client.roundTrip("\n"));
            assertEquals("Your message was: '\\x07'", client.roundTrip("\u0007"));
            assertEquals("Your message was: '\\\\'", client.roundTrip("\\"));
            assertEquals("Your message was: '\\u200b'", client.roundTrip("\u200b"));
        }
    }

    @Test
    void answersBinaryMessagesAsTheSeedsBytearray() throws Exception {
        try (WsClient client = WsClient.open(app.base())) {
            assertEquals("Your message was: bytearray(b'\\x00\\x01ab')",
                    client.roundTrip(HexFormat.of().parseHex("00016162")));
        }
    }

    @Test
    void acceptsAMessageOfExactlyTheLimit() throws Exception {
        try (WsClient client = WsClient.open(app.base())) {
            String reply = client.roundTrip("a".repeat(MAX_MESSAGE));
            assertEquals("Your message was: '".length() + MAX_MESSAGE + 1, reply.length());
        }
    }

    @Test
    void closesWith1009WhenATextMessageIsTooBig() throws Exception {
        assertClosesWith1009(0x1, "a".repeat(MAX_MESSAGE + 1).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void closesWith1009WhenMultiByteTextExceedsTheLimitInBytes() throws Exception {
        // fewer chars than the limit, more bytes
        assertClosesWith1009(0x1, "é".repeat(MAX_MESSAGE / 2 + 1).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void closesWith1009WhenABinaryMessageIsTooBig() throws Exception {
        assertClosesWith1009(0x2, new byte[MAX_MESSAGE + 1]);
    }

    /**
     * Sends one message over the limit and expects no reply, then the server's close frame with 1009. A raw client:
     * Jetty closes having read only the frame's header, so the rest of the message can meet a reset connection, and
     * the JDK's client then reports that broken pipe instead of the close frame it had already received (seen
     * failing this test intermittently on Jetty 9.4).
     */
    private void assertClosesWith1009(int opcode, byte[] message) throws IOException {
        try (RawWebSocket ws = RawWebSocket.open(app.base())) {
            try {
                ws.send(opcode, message, true);
            } catch (IOException closedFirst) {
                // Allowed (Jetty, see above): what the client reads next decides.
            }
            assertEquals(new RawWebSocket.Ending(1009, 0, 0), ws.readToClose());
        }
    }

    @Test
    void failsTheConnectionOnInvalidUtf8() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(app.base())) {
            ws.send(0x1, new byte[] {'o', 'k'}, true);
            assertEquals("Your message was: 'ok'", new String(ws.read().payload(), StandardCharsets.UTF_8));

            ws.send(0x1, new byte[] {(byte) 0xc3, (byte) 0x28}, true); // not UTF-8

            assertFailed(ws.readUntilClosed(), 1007);
        }
    }

    @Test
    void failsTheConnectionOnAnUnmaskedClientFrame() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(app.base())) {
            ws.send(0x1, "unmasked".getBytes(StandardCharsets.UTF_8), false); // RFC 6455 5.1: clients must mask

            assertFailed(ws.readUntilClosed(), 1002);
        }
    }

    /**
     * The server answered nothing but, at most, a close frame with {@code code}, and closed the connection. The close
     * frame is a SHOULD in RFC 6455 7.1.7, and Tomcat sometimes closes the socket before it has gone out (seen on
     * 10.1 and 11 here, intermittently), so its absence is allowed; an echo is not.
     */
    private static void assertFailed(List<RawWebSocket.Frame> answer, int code) {
        for (RawWebSocket.Frame frame : answer) {
            assertEquals(8, frame.opcode(), "only a close frame, no reply");
            assertEquals(code, frame.closeCode());
        }
    }

    @Test
    void answersAPlainRequestWith400() throws Exception {
        Http.Response response = Http.get(app.uri("/websocket"), "Accept", "*/*");

        assertEquals(400, response.status());
        assertEquals("Expected WebSocket request.", response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "BREW"})
    void refusesOtherMethodsThanAPlainGet(String method) throws Exception {
        GetOnlyAnswers.assertRefused(app.uri("/websocket"), method);
    }

    @Test
    void answersOptionsWithoutTrace() throws Exception {
        GetOnlyAnswers.assertOptions(app.uri("/websocket"));
    }

    @Test
    void showsTheDemoPageToABrowser() throws Exception {
        Http.Response response = Http.get(app.uri("/websocket"),
                "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        assertEquals(200, response.status());
        assertTrue(response.header("Content-Type").startsWith("text/html"), response.header("Content-Type"));
        assertTrue(response.body().contains("new WebSocket("), "the demo page");
    }

    @Test
    void serves200SessionsOf50RoundTripsEach() throws Exception {
        int sessions = 200;
        int rounds = 50;
        ExecutorService clients = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                int session = s;
                results.add(clients.submit(() -> {
                    int correct = 0;
                    try (WsClient client = WsClient.open(app.base())) {
                        for (int r = 0; r < rounds; r++) {
                            String message = "session " + session + " round " + r;
                            if (client.roundTrip(message).equals("Your message was: '" + message + "'")) {
                                correct++;
                            }
                        }
                    }
                    return correct;
                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(rounds, result.get(120, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void closesAnIdleSession() throws Exception {
        Map<String, String> params = Map.of("asyncprimer.websocket.idleTimeoutMs", "1000");
        try (Deployment strict = Deployment.start(container, ServerOptions.defaults().withContextParams(params));
             WsClient client = WsClient.open(strict.base())) {
            assertEquals("Your message was: 'hi'", client.roundTrip("hi"));
            // Tomcat looks for expired sessions every 10 s of its background process: up to 11 s seen here.
            WsClient.Close close = client.awaitClose(30);
            assertTrue(close.code() == 1001 || close.code() == 1000, "idle close code " + close);
        }
    }
}
