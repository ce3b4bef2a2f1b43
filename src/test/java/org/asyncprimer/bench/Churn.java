package org.asyncprimer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * The churn: clients that hang up in the middle of a response, in turn on /stream (after START), /fetch (after
 * its first line) and /websocket (after two echoes, without a close frame), in turn with RST and FIN; then
 * whether the server lets go of everything they held once it notices.
 *
 * <p>A server notices a dead HTTP client only when it next writes to it: it no longer reads a request it has read.
 * After an RST that write fails. After a FIN it still succeeds (the client's kernel takes the bytes and answers
 * with RST) and the write after it fails. So a /stream client that hangs up after START is noticed at MIDDLE
 * (RST, {@code first} ms) or at END (FIN, {@code first + second} ms), a /fetch client one or two lines later
 * ({@code interval}); a WebSocket server always reads, so it sees either at once.
 *
 * <p>The server after the churn is compared with the server at idle, measured after a warm-up round of the same
 * clients (so threads that start on first use exist, and the container's caches of connection objects hold what
 * the churn will leave in them): see {@link ServerState#against}.
 */
final class Churn {

    /** Echo round trips a WebSocket client makes before it drops the connection. */
    static final int WS_ROUNDS = 2;
    private static final Duration POLL = Duration.ofMillis(100);

    /** What a client is in the middle of when it hangs up. */
    enum Kind {
        /** /stream, after START. */
        STREAM,
        /** /fetch, after the first line. */
        FETCH,
        /** /websocket, after {@link #WS_ROUNDS} echoes, without a close frame. */
        WEBSOCKET
    }

    /** How many clients a round has, and the timings they ask for. */
    record Round(int clients, int first, int second, int count, int interval) {
        Round withClients(int n) {
            return new Round(n, first, second, count, interval);
        }
    }

    /** What {@link #run} produced: the figures, the run's table (header, rule, row) and the verdict table. */
    record Outcome(Bench.Result result, LoadLoop loop, String header, String rule, String row, String verdict) {
    }

    private final ServerState.Source server;
    private final InetSocketAddress target;
    private final String host;
    private final List<Kind> kinds;
    private final List<LoadLoop.HangUp> hangUps;
    private final int ramp;
    private final Duration deadline;
    private final boolean heap;

    /** Client {@code i} is of kind {@code kinds[i % kinds]} and hangs up with {@code hangUps[i / kinds % hangUps]}. */
    Churn(ServerState.Source server, List<Kind> kinds, List<LoadLoop.HangUp> hangUps, int ramp, Duration deadline,
          boolean heap) {
        this.server = server;
        this.target = new InetSocketAddress(server.base().getHost(), server.base().getPort());
        this.host = server.base().getHost() + ":" + server.base().getPort();
        this.kinds = List.copyOf(kinds);
        this.hangUps = List.copyOf(hangUps);
        this.ramp = ramp;
        this.deadline = deadline;
        this.heap = heap;
    }

    /** A warm-up round of {@code warmupClients} with the churn's timings, then the churn. */
    Outcome run(String label, int warmupClients, Round churn) throws Exception {
        Round warmup = churn.withClients(warmupClients);
        System.out.printf("  warm-up: %d clients%n", warmup.clients());
        List<LoadLoop.Conn> warm = new LoadLoop(target, warmup.clients(), ramp, deadline)
                .run(i -> client(i, warmup), System.nanoTime());
        JsonNode warmed = awaitStatus(s -> ServerState.openCounts(s).values().stream().allMatch(n -> n == 0));
        List<String> failures = new ArrayList<>(failures(warm));
        if (!ServerState.openCounts(warmed).values().stream().allMatch(n -> n == 0)) {
            failures.add("responses still open after the warm-up: " + warmed);
        }
        ServerState idle = server.read(server.status(), heap);

        StatusPeak peak = new StatusPeak();
        Thread sampler = peak.start();
        LoadLoop loop = new LoadLoop(target, churn.clients(), ramp, deadline);
        long start = System.nanoTime();
        List<LoadLoop.Conn> conns = loop.run(i -> client(i, churn), start);
        long hungUp = System.nanoTime();
        sampler.interrupt(); // dead responses pile up while clients hang up; after the last one they only go
        sampler.join();

        Map<String, Double> settledAt = new LinkedHashMap<>();
        JsonNode settled = awaitStatus(s -> {
            Map<String, Integer> counts = ServerState.tracked(s);
            counts.forEach((field, n) -> {
                if (!n.equals(idle.settled().get(field))) {
                    settledAt.put(field, (System.nanoTime() - hungUp) / 1e9);
                }
            });
            return counts.equals(idle.settled()) && threadsQuietly() <= idle.threads();
        });
        ServerState after = server.read(settled, heap);
        List<Bench.Check> checks = after.against(idle, settledAt);
        if (heap) {
            StringBuilder growth = new StringBuilder("  live heap growth from idle, by class:");
            ServerProbe.topGrowth(idle.heap(), after.heap(), 8).forEach(e -> growth.append(
                    String.format("%n    %8.1f KB  %s", e.getValue() / 1024.0, e.getKey())));
            System.out.println(growth);
        }

        failures.addAll(failures(conns));
        int complete = (int) conns.stream().filter(Churn::complete).count();
        // One START or first line per HTTP client, WS_ROUNDS echoes per WebSocket client.
        long expected = churn.clients() + (long) count(churn.clients(), Kind.WEBSOCKET) * (WS_ROUNDS - 1);
        Bench.Result result = new Bench.Result(label, churn.clients(), complete, churn.clients() - complete,
                peak.peak.get(), expected, conns.stream().mapToLong(Churn::messages).sum(),
                failures.stream().distinct().limit(5).toList(), checks);
        String row = String.format("| %s | %d, %d, %d | %d (%d / %d) | %d | %.0f | %d |", label,
                count(churn.clients(), Kind.STREAM), count(churn.clients(), Kind.FETCH),
                count(churn.clients(), Kind.WEBSOCKET), complete, hungUp(conns, LoadLoop.HangUp.RST),
                hungUp(conns, LoadLoop.HangUp.FIN), churn.clients() - complete,
                churn.clients() / ((hungUp - start) / 1e9), peak.peak.get());
        StringBuilder verdict = new StringBuilder("| check | idle | after the churn | verdict |\n|---|---|---|---|");
        checks.forEach(c -> verdict.append(String.format("%n| %s | %s | %s | %s |", c.what(), c.idle(), c.after(),
                c.ok() ? "ok" : "**not back**")));
        return new Outcome(result, loop, "| run | clients: /stream, /fetch, /websocket | hung up as planned "
                + "(RST / FIN) | failed | hang-ups/s | dead responses held at once (peak) |",
                "|---|---|---|---|---|---|", row, verdict.toString());
    }

    private Kind kind(int i) {
        return kinds.get(i % kinds.size());
    }

    private LoadLoop.Conn client(int i, Round round) {
        LoadLoop.HangUp how = hangUps.get(i / kinds.size() % hangUps.size());
        return switch (kind(i)) {
            case STREAM -> Exchange.hangingUp(get("/stream?first=" + round.first() + "&second=" + round.second()),
                    List.of("START"), how);
            case FETCH -> Exchange.hangingUp(get("/fetch?count=" + round.count() + "&interval=" + round.interval()),
                    List.of("\"seq\":1,"), how);
            case WEBSOCKET -> WsSession.dropping(i, WS_ROUNDS, host, how);
        };
    }

    private String get(String pathAndQuery) {
        return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }

    /** How many of {@code clients} are of {@code kind}. */
    private int count(int clients, Kind kind) {
        return (int) IntStream.range(0, clients).filter(i -> kind(i) == kind).count();
    }

    private static long hungUp(List<LoadLoop.Conn> conns, LoadLoop.HangUp how) {
        return conns.stream().filter(c -> complete(c) && c.hangUp() == how).count();
    }

    private static boolean complete(LoadLoop.Conn conn) {
        return conn instanceof Exchange e ? e.complete() : ((WsSession) conn).complete();
    }

    private static long messages(LoadLoop.Conn conn) {
        return conn instanceof Exchange e ? e.marked() : ((WsSession) conn).rounds() - ((WsSession) conn).wrong;
    }

    private List<String> failures(List<LoadLoop.Conn> conns) {
        return IntStream.range(0, conns.size()).filter(i -> !complete(conns.get(i)))
                .mapToObj(i -> kind(i) + " " + conns.get(i).hangUp() + ": "
                        + (conns.get(i) instanceof Exchange e ? e.failure : ((WsSession) conns.get(i)).failure))
                .distinct().limit(5).toList();
    }

    /** Polls /status until {@code done} holds or the deadline passes; returns the last status read. */
    private JsonNode awaitStatus(Predicate<JsonNode> done) throws IOException, InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        JsonNode status = server.status();
        while (!done.test(status) && System.nanoTime() < end) {
            Thread.sleep(POLL.toMillis()); // polling interval; the loop checks the outcome
            status = server.status();
        }
        return status;
    }

    private long threadsQuietly() {
        try {
            return server.threads();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The most responses /status counted open at once during the churn: the dead clients the server held. */
    private final class StatusPeak implements Runnable {
        final AtomicInteger peak = new AtomicInteger();

        Thread start() {
            Thread thread = new Thread(this, "bench-churn-status");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        @Override
        public void run() {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    int open = ServerState.openCounts(server.status()).values().stream().mapToInt(n -> n).sum();
                    peak.accumulateAndGet(open, Math::max);
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    System.err.println("churn status: " + e.getMessage());
                    return;
                }
            }
        }
    }
}
