package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.Deployment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tiny run of every benchmark scenario, so the tool cannot rot: its figures are printed, and only whether every
 * exchange completed correctly is asserted, never how fast (this machine is shared and noisy).
 */
class BenchSmokeIT {

    private static Deployment app;
    private static final String PID = Long.toString(ProcessHandle.current().pid()); // the server runs in this JVM

    @BeforeAll
    static void deploy() throws Exception {
        app = Deployment.start(Container.TOMCAT_11);
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void streamsScenarioCompletesEveryStream() throws Exception {
        Bench.Result result = Bench.run("streams", "--url", app.base().toString(), "--n", "300", "--first", "300",
                "--second", "300", "--pid", PID, "--heap", "--label", "smoke-streams", "--out", "target/bench-smoke");

        assertEquals(0, result.failed(), result.failures().toString());
        assertEquals(300, result.completed());
        assertEquals(true, Files.isRegularFile(Path.of("target/bench-smoke/smoke-streams.csv")));
    }

    @Test
    void fetchScenarioReceivesEveryLineInOrder() throws Exception {
        Bench.Result result = Bench.run("fetch", "--url", app.base().toString(), "--n", "200", "--count", "3",
                "--interval", "100", "--label", "smoke-fetch", "--out", "target/bench-smoke");

        assertEquals(0, result.failed(), result.failures().toString());
    }

    @Test
    void wsechoScenarioChecksEveryReply() throws Exception {
        Bench.Result result = Bench.run("wsecho", "--url", app.base().toString(), "--clients", "50", "--rounds", "20",
                "--pid", PID, "--label", "smoke-wsecho", "--out", "target/bench-smoke");

        assertEquals(0, result.failed(), result.failures().toString());
        assertEquals(50, result.completed());
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
    void chartDrawsTheSeries() throws Exception {
        Bench.run("streams", "--url", app.base().toString(), "--n", "20", "--first", "100", "--second", "100",
                "--label", "smoke-chart", "--out", "target/bench-smoke");
        Path svg = Path.of("target/bench-smoke/held.svg");
        Bench.main(new String[] {"chart", "--out", svg.toString(), "target/bench-smoke/smoke-chart.csv"});

        assertEquals(true, Files.readString(svg).contains("<polyline"));
    }
}
