package org.asyncprimer.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.H2AsyncClientBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.AsyncRequestBuilder;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The {@code h2streams} scenario: N /stream requests held at once as HTTP/2 streams, {@code --per-connection}
 * (default 100, Tomcat's default limit of concurrent streams) on each h2c connection (prior knowledge), where the
 * {@code streams} scenario holds one HTTP/1.1 connection per stream. Same figures: START and END lateness, and with
 * {@code --pid} (and {@code --heap}) the server's threads, RSS, CPU and live heap per held stream.
 *
 * <pre>mvn -q test-compile exec:java -Dbench="h2streams --url http://127.0.0.1:8080/ --n 2000 --pid 12345"</pre>
 */
final class H2Bench {

    private final Map<String, String> options;

    private H2Bench(Map<String, String> options) {
        this.options = options;
    }

    static Bench.Result run(Map<String, String> options) throws Exception {
        return new H2Bench(options).run();
    }

    private int number(String name, int fallback) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
    }

    private Bench.Result run() throws Exception {
        URI base = URI.create(options.getOrDefault("url", "http://127.0.0.1:8080/"));
        int n = number("n", 2000);
        int perConnection = number("per-connection", 100);
        int first = number("first", 3000);
        int second = number("second", 5000);
        int ramp = number("ramp", 2000);
        int deadline = number("deadline", (first + second) / 1000 + n / ramp + 60);
        String label = options.getOrDefault("label", "h2streams-" + n);
        Path out = Path.of(options.getOrDefault("out", "target/bench"));
        ServerProbe probe = options.containsKey("pid") ? new ServerProbe(Long.parseLong(options.get("pid"))) : null;
        boolean heap = probe != null && options.containsKey("heap");
        URI uri = base.resolve("/stream?first=" + first + "&second=" + second);
        int connections = (n + perConnection - 1) / perConnection;

        System.out.printf("%s: %d streams on %d h2c connections against %s%n", label, n, connections, base);
        List<CloseableHttpAsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            // One client per connection: HttpClient keeps one HTTP/2 connection per host.
            CloseableHttpAsyncClient client = H2AsyncClientBuilder.create()
                    .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                    .setDefaultRequestConfig(RequestConfig.custom()
                            .setResponseTimeout(Timeout.ofSeconds(deadline)).build())
                    .build();
            client.start();
            clients.add(client);
        }
        ServerProbe.Heap baseline = heap ? probe.liveHeap() : null;
        ServerProbe.Heap atPeak = null;
        double cpuBefore = probe == null ? 0 : probe.cpuSeconds();
        long peakRss = 0;
        long peakThreads = 0;
        int peakHeld = 0;

        HeldStream[] streams = new HeldStream[n];
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(deadline);
        int opened = 0;
        long nextSample = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            // Paced: stream i is sent at i / ramp seconds.
            while (opened < n && now - start >= (long) opened * 1_000_000_000L / ramp) {
                streams[opened] = new HeldStream();
                clients.get(opened / perConnection).execute(AsyncRequestBuilder.get(uri).build(), streams[opened],
                        null, null);
                opened++;
            }
            int held = 0;
            int done = 0;
            for (int i = 0; i < opened; i++) {
                held += streams[i].held() ? 1 : 0;
                done += streams[i].done ? 1 : 0;
            }
            peakHeld = Math.max(peakHeld, held);
            if (heap && atPeak == null && held == n) {
                System.out.println("  every stream held: taking the live heap (a full GC pauses the server)");
                atPeak = probe.liveHeap();
            }
            if (probe != null && now >= nextSample) {
                peakRss = Math.max(peakRss, probe.rssBytes());
                peakThreads = Math.max(peakThreads, probe.threads());
                nextSample = now + TimeUnit.MILLISECONDS.toNanos(250);
            }
            if (done == n) {
                break;
            }
            Thread.sleep(10); // polling interval of the monitor; the streams run on the clients' own threads
        }
        clients.forEach(c -> c.close(CloseMode.IMMEDIATE));

        int ok = 0;
        List<Double> startMs = new ArrayList<>();
        List<Double> endLate = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < opened; i++) {
            HeldStream s = streams[i];
            if (s.startAt != 0) {
                startMs.add((s.startAt - s.sentAt) / 1e6);
            }
            if (s.endAt != 0 && s.failure == null) {
                ok++;
                endLate.add((s.endAt - s.sentAt) / 1e6 - first - second);
            } else if (failures.size() < 5) {
                String failure = Objects.requireNonNullElse(s.failure, "no END by the deadline");
                if (!failures.contains(failure)) {
                    failures.add(failure);
                }
            }
        }
        String table = "| run | N | h2c connections | completed | failed | peak held | START ms p50 / p99 / max "
                + "| END late ms p50 / p99 / max |"
                + (probe != null ? " server threads (peak) | RSS MB (peak) | CPU s |" : "")
                + (heap ? " live heap MB base → peak → idle | KB per stream | app's share KB |" : "")
                + "\n|---|---|---|---|---|---|---|---|"
                + (probe != null ? "---|---|---|" : "") + (heap ? "---|---|---|" : "")
                + "\n" + String.format("| %s | %d | %d | %d | %d | %d | %s | %s |", label, n, connections, ok, n - ok,
                peakHeld, Stats.of(array(startMs)).cell(), Stats.of(array(endLate)).cell());
        if (probe != null) {
            table += String.format(" %d | %.0f | %.1f |", peakThreads, peakRss / 1048576.0,
                    probe.cpuSeconds() - cpuBefore);
        }
        if (heap) {
            Thread.sleep(1000);
            ServerProbe.Heap idle = probe.liveHeap();
            table += atPeak == null ? " – | – | – |" : String.format(" %.1f → %.1f → %.1f | %.2f | %.3f |",
                    baseline.totalBytes() / 1048576.0, atPeak.totalBytes() / 1048576.0, idle.totalBytes() / 1048576.0,
                    (atPeak.totalBytes() - baseline.totalBytes()) / 1024.0 / n,
                    (atPeak.appBytes() - baseline.appBytes()) / 1024.0 / n);
            if (atPeak != null) {
                StringBuilder growth = new StringBuilder("\n  live heap growth per stream at peak, by class:");
                ServerProbe.topGrowth(baseline, atPeak, 8).forEach(e -> growth.append(String.format(
                        "%n    %8.2f KB  %s", e.getValue() / 1024.0 / n, e.getKey())));
                System.out.println(growth);
            }
        }
        System.out.println();
        System.out.println(table);
        if (!failures.isEmpty()) {
            System.out.println("failures (first kinds): " + failures);
        }
        Files.createDirectories(out);
        StringBuilder command = new StringBuilder("`h2streams");
        options.forEach((k, v) -> command.append(" --").append(k).append("true".equals(v) ? "" : " " + v));
        Files.writeString(out.resolve("results.md"), "\n" + command + "`\n\n" + table + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        // A stream counts as its message here: the one that matters is END, and ok counts the ENDs that came.
        return new Bench.Result(label, n, ok, n - ok, peakHeld, n, ok, failures, List.of());
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One /stream response as an HTTP/2 stream: when it was sent, when START and END arrived. */
    private static final class HeldStream implements AsyncResponseConsumer<Void> {

        final long sentAt = System.nanoTime();
        private final StringBuilder body = new StringBuilder();
        volatile long startAt;
        volatile long endAt;
        volatile String failure;
        volatile boolean done;
        private FutureCallback<Void> callback;

        boolean held() {
            return startAt != 0 && endAt == 0 && !done;
        }

        @Override
        public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
                                    FutureCallback<Void> resultCallback) {
            callback = resultCallback;
            if (response.getCode() != 200) {
                failure = "HTTP " + response.getCode();
            }
            if (entity == null) {
                streamEnd(null);
            }
        }

        @Override
        public void informationResponse(HttpResponse response, HttpContext context) {
        }

        @Override
        public void updateCapacity(CapacityChannel capacity) throws IOException {
            capacity.update(Integer.MAX_VALUE);
        }

        @Override
        public void consume(ByteBuffer src) {
            long now = System.nanoTime();
            body.append(StandardCharsets.US_ASCII.decode(src));
            if (startAt == 0 && body.indexOf("START\n") >= 0) {
                startAt = now;
            }
            if (endAt == 0 && body.indexOf("\nEND\n") >= 0) {
                endAt = now;
            }
        }

        @Override
        public void streamEnd(List<? extends Header> trailers) {
            if (endAt == 0 && failure == null) {
                failure = "ended before END: " + body.toString().replace('\n', ' ');
            }
            done = true;
            callback.completed(null);
        }

        @Override
        public void failed(Exception cause) {
            if (failure == null) {
                failure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            }
            done = true;
        }

        @Override
        public void releaseResources() {
        }
    }
}
