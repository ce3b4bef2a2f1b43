package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.DeployedOnTomcat11;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.TestServer;
import org.asyncprimer.it.Webapp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A tiny run of every benchmark scenario, so the tool cannot rot: its figures are printed, and only whether every
 * client completed and every message came correctly is asserted, never how fast (this machine is shared and
 * noisy). The churn scenario runs on every container in {@link ChurnIT}.
 */
class BenchSmokeIT extends DeployedOnTomcat11 {

    private static final String PID = Long.toString(ProcessHandle.current().pid()); // the server runs in this JVM

    @BeforeAll
    static void needsJetty12Too() {
        Container.assumeRunning(Container.JETTY_12); // one test starts a Jetty 12 as well
    }

    @Test
    void streamsScenarioCompletesEveryStream() throws Exception {
        Bench.Result result = Bench.run("streams", "--url", app.base().toString(), "--n", "300", "--first", "300",
                "--second", "300", "--pid", PID, "--heap", "--label", "smoke-streams", "--out", "target/bench-smoke");

        assertEveryClientCompleted(result, 300, 300 * 3); // START, MIDDLE, END
        assertTrue(Files.isRegularFile(Path.of("target/bench-smoke/smoke-streams.csv")));
    }

    @Test
    void fetchScenarioReceivesEveryLineInOrder() throws Exception {
        Bench.Result result = Bench.run("fetch", "--url", app.base().toString(), "--n", "200", "--count", "3",
                "--interval", "100", "--label", "smoke-fetch", "--out", "target/bench-smoke");

        assertEveryClientCompleted(result, 200, 200 * 3);
    }

    @Test
    void wsechoScenarioChecksEveryReply() throws Exception {
        Bench.Result result = Bench.run("wsecho", "--url", app.base().toString(), "--clients", "50", "--rounds", "20",
                "--pid", PID, "--label", "smoke-wsecho", "--out", "target/bench-smoke");

        assertEveryClientCompleted(result, 50, 50 * 20);
    }

    /** src/bench/echo.sh's yardstick must answer as the WAR does, or the two runs would not compare. */
    @ParameterizedTest
    @EnumSource(value = Container.class, names = {"TOMCAT_11", "JETTY_12"})
    void thePlainestEchoAnswersEveryMessageAsTheWarDoes(Container container) throws Exception {
        TestServer server = container.create();
        try {
            URI base = server.start(new Webapp(Path.of("target/plain-echo.war").toAbsolutePath(), null, null),
                    ServerOptions.defaults());
            Bench.Result result = Bench.run("wsecho", "--url", base.toString(), "--clients", "20", "--rounds", "10",
                    "--label", "smoke-plain-echo-" + container, "--out", "target/bench-smoke");

            assertEveryClientCompleted(result, 20, 20 * 10); // each reply compared with the seed's exact text
        } finally {
            server.stop();
        }
    }

    @Test
    void h2streamsScenarioCompletesEveryStream() throws Exception {
        Bench.Result result = Bench.run("h2streams", "--url", app.base().toString(), "--n", "300",
                "--per-connection", "100", "--first", "300", "--second", "300", "--pid", PID, "--heap",
                "--label", "smoke-h2streams", "--out", "target/bench-smoke");

        assertEquals(0, result.failed(), result.failures().toString());
        assertEquals(300, result.completed());
    }

    @Test
    void chatScenarioDeliversEveryMessageToEverySubscriberOfEachTransport() throws Exception {
        // 20 subscribers each over SSE, WebSocket and long-poll; 2 messages of lead-in, then 5. A subscriber completes
        // only with every message of the run once and in order, so completed and messages received also say: no
        // duplicates, no reordering; the per-message file has the run's messages only.
        Path perMessageFile = Path.of("target/bench-smoke/smoke-chat-per-message.csv");
        Files.deleteIfExists(perMessageFile); // an earlier run's must not stand in for this one's
        Bench.Result result = Bench.run("chat", "--url", app.base().toString(), "--transport", "mix", "--n", "60",
                "--rate", "10", "--duration", "0.5", "--lead-in", "2", "--room", "smoke", "--pid", PID,
                "--label", "smoke-chat", "--out", "target/bench-smoke");

        assertEveryClientCompleted(result, 60, 60 * 5);
        // Each message's latency across the subscribers: a header, then one row per message, each got by all 60.
        List<String> perMessage = Files.readAllLines(perMessageFile);
        assertEquals("seq,p50_ms,p99_ms,max_ms", perMessage.get(0));
        assertEquals(List.of("1", "2", "3", "4", "5"),
                perMessage.stream().skip(1).map(line -> line.split(",")[0]).toList(), perMessage.toString());
        assertTrue(perMessage.stream().skip(1).noneMatch(line -> line.contains("NaN")), perMessage.toString());
    }

    @Test
    void pinnedScenarioHoldsEveryNonReadingClientAndLetsThemGo() throws Exception {
        Bench.Result result = Bench.run("pinned", "--url", app.base().toString(), "--n", "20", "--pid", PID,
                "--label", "smoke-pinned", "--out", "target/bench-smoke");

        assertEquals(List.of(), result.failures(), "failures");
        assertEquals(20, result.completed(), "every worker paused on its full queue");
        assertTrue(result.ok(), result.checks().toString());
    }

    @Test
    void chatScenarioSpreadsSubscribersOverEveryUrlItIsGivenWithARowForEach() throws Exception {
        // One node under two names (a cluster's nodes share rooms, and so does one node with itself): subscribers
        // alternate between them, and each gets a row of its own.
        String node = "http://127.0.0.1:" + app.base().getPort() + "/";
        Bench.Result result = Bench.run("chat", "--url", node + "," + node, "--transport", "sse", "--n", "20",
                "--rate", "10", "--duration", "0.3", "--room", "smoke-nodes", "--label", "smoke-nodes",
                "--out", "target/bench-smoke");

        assertEveryClientCompleted(result, 20, 20 * 3);
        String results = Files.readString(Path.of("target/bench-smoke/results.md"));
        String table = results.substring(results.lastIndexOf("`chat"));
        assertEquals(2, table.lines().filter(line -> line.startsWith("| smoke-nodes @127.0.0.1:")).count(), table);
        assertTrue(table.contains("(publisher's)"), table);
    }

    @Test
    void chartDrawsTheSeries() throws Exception {
        Bench.Result result = Bench.run("streams", "--url", app.base().toString(), "--n", "20", "--first", "100",
                "--second", "100", "--label", "smoke-chart", "--out", "target/bench-smoke");
        Path svg = Path.of("target/bench-smoke/held.svg");
        Bench.main(new String[] {"chart", "--out", svg.toString(), "target/bench-smoke/smoke-chart.csv"});

        assertEveryClientCompleted(result, 20, 20 * 3);
        assertTrue(Files.readString(svg).contains("<polyline"));
    }

    /** Every client ran to its end and every message (chunk, line, exact reply) came: counted here, not by the tool. */
    private static void assertEveryClientCompleted(Bench.Result result, int clients, long messages) {
        assertAll(
                () -> assertEquals(List.of(), result.failures(), "failures"),
                () -> assertEquals(clients, result.started(), "clients started"),
                () -> assertEquals(clients, result.completed(), "clients completed"),
                () -> assertEquals(0, result.failed(), "clients failed"),
                () -> assertEquals(messages, result.messagesExpected(), "messages the tool expected"),
                () -> assertEquals(messages, result.messagesReceived(), "messages received correctly"),
                () -> assertTrue(result.ok(), "the tool's own verdict"));
    }
}
