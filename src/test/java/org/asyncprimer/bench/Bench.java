package org.asyncprimer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

/**
 * The benchmark: thousands of concurrent /stream, /fetch or WebSocket clients from one process against any base
 * URL, with the server's cost when its PID is given; or thousands that hang up mid-response ({@code churn}, see
 * {@link Churn}) and whether the server gets back to idle. Results: a markdown table (printed and appended to
 * {@code <out>/results.md}) and the connections in progress over time ({@code <out>/<label>.csv}); {@code chart}
 * draws those series into one SVG.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dbench="streams --url http://127.0.0.1:8080/ --n 1000 --pid 12345"
 * mvn -q test-compile exec:java -Dbench="churn --url http://127.0.0.1:8080/ --clients 3000 --pid 12345 --heap"
 * mvn -q test-compile exec:java -Dbench="pinned --url http://127.0.0.1:8080/ --n 1000 --pid 12345"
 * mvn -q test-compile exec:java -Dbench="chart --out target/bench/held.svg target/bench/a.csv target/bench/b.csv"
 * </pre>
 *
 * Options: {@code --n} connections (streams, fetch; default 1000), {@code --ramp} new connections per second
 * (2000), {@code --first}/{@code --second} ms (streams; 3000/5000), {@code --path} (/stream; or /stream/blocking),
 * {@code --count}/{@code --interval} (fetch; 5/1000), {@code --clients}/{@code --rounds} (wsecho; 200/50),
 * {@code --pid} the server process, {@code --heap} also take live-heap histograms (pauses the server: use it in
 * memory runs, not in lateness runs), {@code --label}, {@code --out} (target/bench), {@code --deadline} seconds.
 * Churn: {@code --clients} (3000), {@code --first}/{@code --second} (200/60000), {@code --count}/{@code --interval}
 * (1000/200), {@code --kinds} (stream,fetch,websocket; also chat-poll, chat-sse, chat-socket, or all),
 * {@code --hangups} (rst,fin), {@code --warmup} clients (200; as many as
 * {@code --clients} fills the container's caches as the churn will, for a live heap to compare with),
 * {@code --in-process} (the server runs in this JVM: count its Java threads).
 */
public final class Bench {

    /**
     * What one run measured, for tests and for the table: clients planned, those that completed everything they
     * were to do, and the messages (chunks, lines, replies) that should have come and that came correctly; the
     * churn's checks of the server after it.
     */
    public record Result(String label, int started, int completed, int failed, int peakInProgress,
                         long messagesExpected, long messagesReceived, List<String> failures, List<Check> checks) {

        /** Every client completed, every message came, every check held. */
        public boolean ok() {
            return failed == 0 && completed == started && messagesReceived == messagesExpected
                    && checks.stream().allMatch(Check::ok);
        }
    }

    /** One thing the churn checks on the server: its value at idle before, after the churn, and whether it held. */
    public record Check(String what, String idle, String after, boolean ok) {
    }

    private final Map<String, String> options;
    private final String scenario;

    private Bench(String scenario, Map<String, String> options) {
        this.scenario = scenario;
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].contains(" ")) {
            args = args[0].trim().split("\\s+"); // -Dbench="streams --n 100" arrives as one argument
        }
        if (args.length == 0) {
            System.err.println("usage: streams|fetch|wsecho|churn|h2streams|chat|pinned --url URL [options] | chart --out FILE.svg CSV...");
            System.exit(2);
        }
        if (args[0].equals("chart")) {
            List<Path> csvs = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                csvs.add(Path.of(args[i]));
            }
            Chart.draw(Path.of(args[2]), csvs);
            System.out.println("wrote " + args[2]);
            return;
        }
        Result result = run(args);
        System.exit(result.ok() ? 0 : 1);
    }

    public static Result run(String... args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an --option, got " + args[i]);
            }
            boolean flag = i + 1 == args.length || args[i + 1].startsWith("--");
            options.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        if (args[0].equals("h2streams")) {
            return H2Bench.run(options); // HTTP/2 streams, many on each connection: its own client
        }
        if (args[0].equals("pinned")) {
            return Pinned.run(options); // clients that never read /fetch, and the heap they pin (#10)
        }
        if (args[0].equals("chat")) {
            return ChatBench.run(options); // subscribers of one room and a publisher (#11): its own loop
        }
        return new Bench(args[0], options).run();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int number(String name, int fallback) {
        return Integer.parseInt(option(name, Integer.toString(fallback)));
    }

    private Result run() throws Exception {
        URI base = URI.create(option("url", "http://127.0.0.1:8080/"));
        InetSocketAddress target = new InetSocketAddress(base.getHost(), base.getPort());
        String host = base.getHost() + ":" + base.getPort();
        Path out = Path.of(option("out", "target/bench"));
        String label = option("label", scenario + "-" + option("n", option("clients", "")));
        ServerProbe probe = options.containsKey("pid") ? new ServerProbe(Long.parseLong(option("pid", ""))) : null;
        boolean heap = probe != null && options.containsKey("heap");

        System.out.printf("%s: %s against %s%n", label, scenario, base);
        ServerProbe.Heap baseline = heap ? probe.liveHeap() : null;
        double cpuBefore = probe == null ? 0 : probe.cpuSeconds();
        AtomicLong peakRss = new AtomicLong();
        AtomicLong peakThreads = new AtomicLong();
        Thread sampler = probe == null ? null : sampleServer(probe, peakRss, peakThreads);
        AtomicReference<ServerProbe.Heap> atPeak = new AtomicReference<>();

        String table;
        String verdict = "";
        Result result;
        LoadLoop loop;
        long start = System.nanoTime();
        if (scenario.equals("churn")) {
            Churn.Outcome churn = churn(base, probe, heap, label);
            result = churn.result();
            loop = churn.loop();
            table = churn.header() + serverHeader() + "\n" + churn.rule() + serverRule() + "\n" + churn.row();
            verdict = "\n\n" + churn.verdict();
        } else if (scenario.equals("wsecho")) {
            int clients = number("clients", 200);
            int rounds = number("rounds", 50);
            loop = new LoadLoop(target, clients, number("ramp", 2000), Duration.ofSeconds(number("deadline", 300)));
            List<WsSession> sessions = loop.run(i -> new WsSession(i, rounds, host), start);
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] rtt = sessions.stream().flatMapToLong(s -> java.util.Arrays.stream(s.rttNanos, 0, s.rounds()))
                    .mapToDouble(n -> n / 1e6).toArray();
            long replies = sessions.stream().mapToLong(WsSession::rounds).sum();
            long wrong = sessions.stream().mapToLong(s -> s.wrong).sum();
            int ok = (int) sessions.stream().filter(WsSession::complete).count();
            result = new Result(label, clients, ok, clients - ok, loop.peak(), (long) clients * rounds,
                    replies - wrong,
                    sessions.stream().filter(s -> !s.complete()).map(s -> s.failure + " (wrong " + s.wrong + ")")
                            .distinct().limit(5).toList(), List.of());
            table = "| run | clients × rounds | sessions ok | replies (wrong) | msg/s | RTT ms p50 / p99 / max |"
                    + serverHeader() + "\n|---|---|---|---|---|---|" + serverRule() + "\n"
                    + String.format("| %s | %d × %d | %d | %d (%d) | %.0f | %s |", label, clients, rounds, ok,
                    replies, wrong, replies / seconds, Stats.of(rtt).cell());
        } else {
            boolean streams = scenario.equals("streams");
            int n = number("n", 1000);
            int first = number("first", 3000);
            int second = number("second", 5000);
            int count = number("count", 5);
            int interval = number("interval", 1000);
            String path = streams
                    ? option("path", "/stream") + "?first=" + first + "&second=" + second
                    : option("path", "/fetch") + "?count=" + count + "&interval=" + interval;
            List<String> markers = streams ? List.of("START", "MIDDLE", "END")
                    : IntStream.rangeClosed(1, count).mapToObj(i -> "\"seq\":" + i + ",").toList();
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
            int planned = streams ? first + second : count * interval;
            loop = new LoadLoop(target, n, number("ramp", 2000),
                    Duration.ofSeconds(number("deadline", planned / 1000 + n / number("ramp", 2000) + 60)));
            if (heap) {
                loop.whenAllHeld(() -> atPeak.set(liveHeapQuietly(probe)));
            }
            List<Exchange> exchanges = loop.run(i -> new Exchange(request, markers), start);
            int ok = (int) exchanges.stream().filter(Exchange::complete).count();
            result = new Result(label, n, ok, n - ok, loop.peak(), (long) n * markers.size(),
                    exchanges.stream().mapToLong(Exchange::marked).sum(), exchanges.stream()
                    .filter(e -> !e.complete()).map(e -> e.failure).distinct().limit(5).toList(), List.of());
            double[] startLate = lateness(exchanges, 0, 0);
            double[] lastLate = lateness(exchanges, markers.size() - 1, planned);
            table = "| run | N | completed | failed | peak in progress | first chunk ms p50 / p99 / max "
                    + "| last chunk late ms p50 / p99 / max |" + serverHeader() + heapHeader(heap)
                    + "\n|---|---|---|---|---|---|---|" + serverRule() + (heap ? "---|---|---|" : "") + "\n"
                    + String.format("| %s | %d | %d | %d | %d | %s | %s |", label, n, ok, n - ok, loop.peak(),
                    Stats.of(startLate).cell(), Stats.of(lastLate).cell());
        }
        if (sampler != null) {
            sampler.interrupt();
            sampler.join();
            double cpu = probe.cpuSeconds() - cpuBefore;
            table += String.format(" %d | %.0f | %.1f |", peakThreads.get(), peakRss.get() / 1048576.0, cpu);
            if (scenario.equals("wsecho")) { // the server's cost per message: a message in and its reply out
                table += String.format(" %.1f |", cpu * 1e6 / Math.max(1, result.messagesReceived()));
            }
        }
        if (heap && !scenario.equals("wsecho") && !scenario.equals("churn")) {
            Thread.sleep(1000);
            ServerProbe.Heap idle = probe.liveHeap();
            ServerProbe.Heap peak = atPeak.get();
            table += peak == null ? " – | – | – |" : String.format(" %.1f → %.1f → %.1f | %.2f | %.3f |",
                    baseline.totalBytes() / 1048576.0, peak.totalBytes() / 1048576.0, idle.totalBytes() / 1048576.0,
                    (peak.totalBytes() - baseline.totalBytes()) / 1024.0 / result.started(),
                    (peak.appBytes() - baseline.appBytes()) / 1024.0 / result.started());
            if (peak != null) {
                StringBuilder growth = new StringBuilder("\n  live heap growth per connection at peak, by class:");
                ServerProbe.topGrowth(baseline, peak, 8).forEach(e -> growth.append(String.format(
                        "%n    %8.2f KB  %s", e.getValue() / 1024.0 / result.started(), e.getKey())));
                System.out.println(growth);
            }
        }
        table += verdict;
        System.out.println();
        System.out.println(table);
        if (!result.failures().isEmpty()) {
            System.out.println("failures (first kinds): " + result.failures());
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), "\n" + String.join(" ", List.of(
                "`" + scenario, String.join(" ", optionsLine()) + "`")) + "\n\n" + table + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Chart.writeSeries(out.resolve(label + ".csv"), loop.samples());
        return result;
    }

    /** The churn with its options: timings chosen so that a dead client's next write comes soon (see Churn). */
    private Churn.Outcome churn(URI base, ServerProbe probe, boolean heap, String label) throws Exception {
        int first = number("first", 200);
        int second = number("second", 60_000);
        int interval = number("interval", 200);
        Duration deadline = Duration.ofSeconds(number("deadline", (first + second + 2 * interval) / 1000 + 30));
        return new Churn(new ServerState.Source(base, probe, options.containsKey("in-process")),
                kinds(option("kinds", "stream,fetch,websocket")),
                list(option("hangups", "rst,fin"), h -> LoadLoop.HangUp.valueOf(h.toUpperCase(Locale.ROOT))),
                number("ramp", 2000), deadline, heap)
                .run(label, number("warmup", 200),
                        new Churn.Round(number("clients", 3000), first, second, number("count", 1000), interval));
    }

    /** The churn's kinds: names like {@code chat-poll} or {@code chat_poll}, or {@code all}. */
    private static List<Churn.Kind> kinds(String commaSeparated) {
        return commaSeparated.equals("all") ? List.of(Churn.Kind.values())
                : list(commaSeparated, k -> Churn.Kind.valueOf(k.toUpperCase(Locale.ROOT).replace('-', '_')));
    }

    private static <T> List<T> list(String commaSeparated, java.util.function.Function<String, T> parse) {
        return java.util.Arrays.stream(commaSeparated.split(",")).map(String::trim).map(parse).toList();
    }

    private List<String> optionsLine() {
        List<String> line = new ArrayList<>();
        options.forEach((k, v) -> line.add("--" + k + ("true".equals(v) ? "" : " " + v)));
        return line;
    }

    private String serverHeader() {
        return !options.containsKey("pid") ? "" : " server threads (peak) | RSS MB (peak) | CPU s |"
                + (scenario.equals("wsecho") ? " CPU µs per message |" : "");
    }

    private String serverRule() {
        return !options.containsKey("pid") ? "" : "---|---|---|" + (scenario.equals("wsecho") ? "---|" : "");
    }

    private static String heapHeader(boolean heap) {
        return heap ? " live heap MB base → peak → idle | KB per connection | app's share KB |" : "";
    }

    /** ms between when a marker was due and when it arrived; markers that never came are left out. */
    private static double[] lateness(List<Exchange> exchanges, int marker, int dueAfterMs) {
        return exchanges.stream().filter(e -> e.markedAt[marker] != 0)
                .mapToDouble(e -> (e.markedAt[marker] - e.sentAt) / 1e6 - dueAfterMs).toArray();
    }

    /** Samples the server's RSS and threads every 250 ms into the two peaks until interrupted. */
    static Thread sampleServer(ServerProbe probe, AtomicLong peakRss, AtomicLong peakThreads) {
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peakRss.accumulateAndGet(probe.rssBytes(), Math::max);
                    peakThreads.accumulateAndGet(probe.threads(), Math::max);
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    System.err.println("server probe: " + e.getMessage());
                    return;
                }
            }
        }, "bench-server-probe");
        sampler.setDaemon(true);
        sampler.start();
        return sampler;
    }

    private static ServerProbe.Heap liveHeapQuietly(ServerProbe probe) {
        try {
            System.out.println("  every connection held: taking the live heap (a full GC pauses the server)");
            return probe.liveHeap();
        } catch (IOException | InterruptedException e) {
            System.err.println("live heap at peak: " + e.getMessage());
            return null;
        }
    }
}
