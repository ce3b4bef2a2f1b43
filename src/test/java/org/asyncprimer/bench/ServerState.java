package org.asyncprimer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.asyncprimer.it.Http;

/**
 * What the churn compares before and after: the counts of {@code GET /status} that must come back (every
 * {@code open*} to 0, and {@code schedulerTasks} and the chat's {@code chatSubscribers}, where the application
 * reports them, to their idle values), the server's threads, and its live heap.
 *
 * @param counts  the tracked /status counts
 * @param threads the server's thread count, -1 when unknown
 * @param names   how many threads have each name, to name added ones (empty when unknown)
 * @param heap    the live heap after a full GC, or null when not taken
 */
record ServerState(Map<String, Integer> counts, long threads, Map<String, Long> names, ServerProbe.Heap heap) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where to read it from: the application's base URI, and the server's process or this JVM. */
    record Source(URI base, ServerProbe probe, boolean inProcess) {

        JsonNode status() throws IOException {
            return JSON.readTree(Http.get(base.resolve("status")).body());
        }

        /** What a wait for /status does between two reads (Churn publishes, so that dead long-polls are found). */
        interface Meanwhile {
            void run() throws IOException;
        }

        /**
         * Reads /status every {@code every} until {@code done} holds or {@code within} has passed, running
         * {@code meanwhile} before each pause; returns the last status read, for the caller to judge.
         */
        JsonNode awaitStatus(Predicate<JsonNode> done, Duration within, Duration every, Meanwhile meanwhile)
                throws IOException, InterruptedException {
            long end = System.nanoTime() + within.toNanos();
            JsonNode status = status();
            while (!done.test(status) && System.nanoTime() < end) {
                meanwhile.run();
                Thread.sleep(every.toMillis()); // polling interval; the loop checks the outcome
                status = status();
            }
            return status;
        }

        /** Java threads of this JVM when the server runs in it (JIT and GC threads come and go, and are not these). */
        long threads() throws IOException {
            if (inProcess) {
                return Thread.getAllStackTraces().size();
            }
            return probe == null ? -1 : probe.threads();
        }

        /** The heap first: jcmd's first attach starts the server's "Attach Listener" thread, to be counted at idle. */
        ServerState read(JsonNode status, boolean withHeap) throws IOException, InterruptedException {
            ServerProbe.Heap heap = withHeap && probe != null ? probe.liveHeap() : null;
            return new ServerState(tracked(status), threads(), threadNames(), heap);
        }

        private Map<String, Long> threadNames() throws IOException {
            if (inProcess) {
                return Thread.getAllStackTraces().keySet().stream()
                        .collect(Collectors.groupingBy(Thread::getName, Collectors.counting()));
            }
            return probe == null ? Map.of() : probe.threadNames();
        }
    }

    /** What the tracked counts must come back to: no response open, the scheduler's idle tasks, and so on. */
    Map<String, Integer> settled() {
        Map<String, Integer> settled = new LinkedHashMap<>();
        counts.forEach((field, n) -> settled.put(field, field.startsWith("open") ? 0 : n));
        return settled;
    }

    /** The /status counts the churn must leave as it found them. */
    static Map<String, Integer> tracked(JsonNode status) {
        Map<String, Integer> counts = openCounts(status);
        // A timer left behind; a chat subscription that its transport forgot to cancel in the broker.
        for (String field : List.of("schedulerTasks", "chatSubscribers")) {
            if (status.has(field)) {
                counts.put(field, status.get(field).asInt());
            }
        }
        return counts;
    }

    /** Responses open right now, by kind: every {@code open*} field. */
    static Map<String, Integer> openCounts(JsonNode status) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        status.properties().forEach(field -> {
            if (field.getKey().startsWith("open")) {
                counts.put(field.getKey(), field.getValue().asInt());
            }
        });
        return counts;
    }

    /** This state, after the churn, against {@code idle}; {@code settledAt} says when each count last differed. */
    List<Bench.Check> against(ServerState idle, Map<String, Double> settledAt) {
        List<Bench.Check> checks = new ArrayList<>();
        for (String required : List.of("openStreams", "openFetches")) {
            if (!idle.counts.containsKey(required)) {
                checks.add(new Bench.Check(required, "missing from /status", "", false));
            }
        }
        idle.settled().forEach((field, n) -> checks.add(new Bench.Check(field + " (must be " + n + ")",
                idle.counts.get(field).toString(), counts.get(field) + String.format(" (last otherwise %.1f s after "
                        + "the last hang-up)", settledAt.getOrDefault(field, 0.0)), n.equals(counts.get(field)))));
        if (idle.threads >= 0) {
            Map<String, Long> added = new TreeMap<>();
            names.forEach((name, n) -> {
                if (n > idle.names.getOrDefault(name, 0L)) {
                    added.put(name, n - idle.names.getOrDefault(name, 0L));
                }
            });
            checks.add(new Bench.Check("server threads",
                    Long.toString(idle.threads), threads + (threads > idle.threads ? ", more: " + added : ""),
                    threads <= idle.threads));
        }
        if (idle.heap != null && heap != null) {
            long grown = heap.totalBytes() - idle.heap.totalBytes();
            checks.add(new Bench.Check("live heap MB (+2 MB or 2 % allowed)", mb(idle.heap.totalBytes()),
                    mb(heap.totalBytes()), grown <= Math.max(2 << 20, idle.heap.totalBytes() / 50)));
            checks.add(new Bench.Check("the application's share KB (+1 KB allowed)", kb(idle.heap.appBytes()),
                    kb(heap.appBytes()), heap.appBytes() - idle.heap.appBytes() <= 1024));
        }
        return checks;
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / 1048576.0);
    }

    private static String kb(long bytes) {
        return String.format("%.1f", bytes / 1024.0);
    }
}
