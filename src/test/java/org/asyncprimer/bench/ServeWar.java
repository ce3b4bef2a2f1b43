package org.asyncprimer.bench;

import java.util.Arrays;
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
 * {@link ServerOptions#connector()}), with the context parameters in {@code -Dasyncprimer.contextParams} (space-separated
 * {@code name=value}, as {@code src/bench/server.sh} takes them in {@code CONTEXT_PARAMS}). Used for Jetty, whose
 * distribution (jetty-home) is not available here; {@code src/bench/server.sh} runs the standalone Tomcat instead.
 * For a Tomcat here, leave the WebSocket 2.1 API jar off the class path (as the pom's failsafe executions do): it
 * shadows Tomcat 11's own copy, and sends then fail with {@code NoSuchMethodError}. Stops on SIGTERM.
 */
public final class ServeWar {

    private ServeWar() {
    }

    public static void main(String[] args) throws Exception {
        Container container = Container.valueOf(args[0]);
        Map<String, String> connector = pairs(Arrays.copyOfRange(args, 3, args.length));
        ServerOptions options = ServerOptions.defaults().withPort(Integer.parseInt(args[1]))
                .withMaxThreads(Integer.parseInt(args[2])).withConnector(connector)
                .withContextParams(pairs(System.getProperty("asyncprimer.contextParams", "").split("\\s+")));
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

    /** {@code name=value} strings as a map, in their order; blank ones skipped. */
    private static Map<String, String> pairs(String[] settings) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String setting : settings) {
            if (!setting.isBlank()) {
                map.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        return map;
    }
}
