package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.asyncprimer.it.OnEveryContainer;
import org.asyncprimer.it.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * A short churn on every container (see {@link Churn}): 300 clients of all its kinds hang up mid-/stream,
 * mid-/fetch, mid-WebSocket, and mid-chat on each of its three transports (a long-poll that waits, an event
 * stream and a socket after their first message), half with RST and half with FIN, and the server must get back
 * to idle: every open count of /status and the chat's subscribers to their idle values, and no thread more in
 * its JVM. The timings make a dead client's next write come soon: MIDDLE 200 ms after START, a fetch line every
 * 200 ms (a fetch runs 200 s unless its client is noticed gone), a chat message every 200 ms while the server
 * settles; a stream whose client sent FIN is noticed only at END, 3 s later.
 */
@OnEveryContainer
class ChurnIT {

    private static final int CLIENTS = 300;

    @Parameter
    Container container;

    private Deployment app;
    private Bench.Result churn;

    @BeforeParameterizedClassInvocation
    void deployAndChurn() throws Exception {
        // A fixed pool of request threads, all started at once: a thread count that grows is then the application's.
        app = Deployment.start(container, ServerOptions.defaults().withConnector(Map.of("minSpareThreads", "20")));
        churn = Bench.run("churn", "--url", app.base().toString(), "--clients", Integer.toString(CLIENTS),
                "--kinds", "all", "--warmup", "60", "--first", "200", "--second", "3000", "--count", "1000", "--interval", "200",
                "--deadline", "30", "--in-process", "--label", "churn-" + container.name(),
                "--out", "target/bench-churn");
    }

    @AfterParameterizedClassInvocation
    void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void serverGetsBackToIdleOnceItNoticesTheClientsAreGone() {
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(churn.checks().size() >= 3, "open counts and threads checked: " + churn.checks()));
        for (String chat : List.of("openChatPolls", "openChatStreams", "openChatSockets", "chatSubscribers",
                "chat long-polls waiting")) {
            checks.add(() -> assertTrue(churn.checks().stream().anyMatch(c -> c.what().startsWith(chat)),
                    chat + " checked: " + churn.checks()));
        }
        churn.checks().forEach(c -> checks.add(() -> assertTrue(c.ok(),
                c.what() + ": idle " + c.idle() + ", after the churn " + c.after())));
        assertAll(checks);
    }

    @Test
    void everyClientGetsItsResponseUntilItHangsUp() {
        // A connection closed by the server before any response is another client's churn hitting this one.
        assertAll(
                () -> assertEquals(List.of(), churn.failures(), "every client got as far as it meant to"),
                () -> assertEquals(CLIENTS, churn.completed(), "clients that hung up as planned"),
                () -> assertEquals(churn.messagesExpected(), churn.messagesReceived(),
                        "STARTs, first lines, echoes, chat messages"));
    }
}
