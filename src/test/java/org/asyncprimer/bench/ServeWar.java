package org.asyncprimer.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.ServerOptions;
import org.asyncprimer.it.TestServer;
import org.asyncprimer.it.Webapp;

/**
 * Serves the packaged WAR on one of the test containers in a process of its own, for the benchmark to measure:
 * {@code java -cp ... org.asyncprimer.bench.ServeWar JETTY_12 8080 20 [setting=value ...]} (see
 * {@link ServerOptions#connector()}). Used for Jetty, whose distribution
 * (jetty-home) is not available here; {@code src/bench/server.sh} runs the standalone Tomcat instead.
 * Stops on SIGTERM.
 */
public final class ServeWar {

    private ServeWar() {
    }

    public static void main(String[] args) throws Exception {
        Container container = Container.valueOf(args[0]);
        Map<String, String> connector = new LinkedHashMap<>();
        for (int i = 3; i < args.length; i++) {
            connector.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        ServerOptions options = ServerOptions.defaults().withPort(Integer.parseInt(args[1]))
                .withMaxThreads(Integer.parseInt(args[2])).withConnector(connector);
        TestServer server = container.create();
        System.out.println(container + " serving " + server.start(Webapp.locate(), options));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        stopped.await();
    }
}
