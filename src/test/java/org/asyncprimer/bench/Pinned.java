package org.asyncprimer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What a client that never reads can pin (#10): {@code n} clients ask {@code /fetch} for far more than they will
 * take (by default 1000 chunks of the largest {@code pad}, no interval) with a tiny receive buffer and never read.
 * Each response fills the socket, then its body queue up to {@code asyncprimer.fetch.maxQueuedBytes}, and its
 * worker pauses. Once every worker is paused ({@code /status pausedFetchWorkers}), the server's live heap is taken;
 * then the clients hang up and it is taken again when no fetch is open. The stall timeout (60 s by default) would
 * end them by itself: the heap is taken well before.
 *
 * <pre>
 * mvn -q exec:java -Dbench="pinned --url http://127.0.0.1:8080/ --n 1000 --pid 12345"
 * </pre>
 *
 * Options: {@code --n} clients (1000), {@code --pad} bytes per chunk (65536, the largest), {@code --count} chunks
 * (1000), {@code --pid} the server (required: the figure is its live heap), {@code --label}, {@code --out}.
 */
final class Pinned {

    private static final Duration SETTLE = Duration.ofSeconds(45); // under the default 60 s stall timeout

    private Pinned() {
    }

    static Bench.Result run(Map<String, String> options) throws Exception {
        URI base = URI.create(options.getOrDefault("url", "http://127.0.0.1:8080/"));
        int n = Integer.parseInt(options.getOrDefault("n", "1000"));
        int pad = Integer.parseInt(options.getOrDefault("pad", "65536"));
        int count = Integer.parseInt(options.getOrDefault("count", "1000"));
        String label = options.getOrDefault("label", "pinned-" + n);
        Path out = Path.of(options.getOrDefault("out", "target/bench"));
        if (!options.containsKey("pid")) {
            throw new IllegalArgumentException("pinned measures the server's live heap: give --pid");
        }
        ServerProbe probe = new ServerProbe(Long.parseLong(options.get("pid")));
        ServerState.Source server = new ServerState.Source(base, probe, false);
        String request = "GET /fetch?count=" + count + "&interval=0&pad=" + pad + " HTTP/1.1\r\nHost: "
                + base.getHost() + ":" + base.getPort() + "\r\nConnection: close\r\n\r\n";

        System.out.printf("%s: %d clients that never read /fetch (pad %d) against %s%n", label, n, pad, base);
        ServerProbe.Heap idle = probe.liveHeap();
        List<SocketChannel> clients = new ArrayList<>(n);
        List<String> failures = new ArrayList<>();
        List<Bench.Check> checks = new ArrayList<>();
        ServerProbe.Heap held = null;
        long queued = 0;
        int paused = 0;
        try {
            for (int i = 0; i < n; i++) {
                clients.add(connect(base, request));
            }
            paused = awaitStatus(server, "pausedFetchWorkers", p -> p >= n);
            queued = server.status().path("queuedFetchBytes").asLong();
            held = probe.liveHeap();
        } catch (IOException e) {
            failures.add(e.toString());
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
        int open = awaitStatus(server, "openFetches", o -> o == 0);
        checks.add(new Bench.Check("openFetches after the hang-ups (must be 0)", "0", Integer.toString(open),
                open == 0));
        ServerProbe.Heap after = probe.liveHeap();

        String table = "| run | clients | workers paused | queued KiB per client (/status) | live heap MB idle → held "
                + "→ after | live heap KiB per client |\n|---|---|---|---|---|---|\n"
                + String.format("| %s | %d | %d | %.1f | %s | %s |", label, n, paused, queued / 1024.0 / n,
                held == null ? "–" : String.format("%.1f → %.1f → %.1f", mb(idle), mb(held), mb(after)),
                held == null ? "–" : String.format("%.1f", (held.totalBytes() - idle.totalBytes()) / 1024.0 / n));
        if (held != null) {
            StringBuilder growth = new StringBuilder("\n  live heap growth per client while held, by class:");
            ServerProbe.topGrowth(idle, held, 8).forEach(e -> growth.append(String.format(
                    "%n    %8.2f KB  %s", e.getValue() / 1024.0 / n, e.getKey())));
            System.out.println(growth);
        }
        System.out.println();
        System.out.println(table);
        checks.forEach(c -> System.out.println("  " + c));
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), "\n`pinned --n " + n + " --pad " + pad + " --count " + count
                + "`\n\n" + table + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new Bench.Result(label, n, paused, n - paused, clients.size(), 0, 0, failures, checks);
    }

    /** A client that sends its request and will never read: a small receive window, so the server fills it soon. */
    private static SocketChannel connect(URI base, String request) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        channel.connect(new InetSocketAddress(base.getHost(), base.getPort()));
        ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        return channel;
    }

    /** Polls /status until {@code field} satisfies {@code done}, or {@link #SETTLE} passes; returns its last value. */
    private static int awaitStatus(ServerState.Source server, String field, IntPredicate done)
            throws IOException, InterruptedException {
        return server.awaitStatus(s -> done.test(s.path(field).asInt()), SETTLE, Duration.ofMillis(100), () -> { })
                .path(field).asInt();
    }

    private static double mb(ServerProbe.Heap heap) {
        return heap.totalBytes() / 1048576.0;
    }
}
