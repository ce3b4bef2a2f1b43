package org.asyncprimer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The churn: clients that hang up in the middle of a response, in turn of each {@link Kind} asked for (/stream
 * after START, /fetch after its first line, /websocket after two echoes without a close frame, and the chat's
 * three transports), in turn with RST and FIN; then whether the server lets go of everything they held once it
 * notices.
 *
 * <p>A server notices a dead HTTP client only when it next writes to it: it no longer reads a request it has read.
 * After an RST that write fails. After a FIN it still succeeds (the client's kernel takes the bytes and answers
 * with RST) and the write after it fails. So a /stream client that hangs up after START is noticed at MIDDLE
 * (RST, {@code first} ms) or at END (FIN, {@code first + second} ms), a /fetch client one or two lines later
 * ({@code interval}); a WebSocket server always reads, so it sees either at once.
 *
 * <p>The chat writes only when a message is published (or, on an idle event stream, at the heartbeat, 15 s by
 * default). So with chat kinds the churn has a room of its own ({@link ChurnRoom}): it publishes one message
 * before each round, which the event streams and sockets hang up after and after which the long-polls wait, and
 * none during the round, so every long-poll still waits, unwritten, when its client hangs up ({@code first} ms
 * after sending it); while the server settles it publishes every {@code interval} ms, and each dead long-poll is
 * noticed at the next message (RST) or ends with it (FIN), each dead event stream at the next or the one after.
 *
 * <p>The server after the churn is compared with the server at idle, measured after a warm-up round of the same
 * clients (so threads that start on first use exist, and the container's caches of connection objects hold what
 * the churn will leave in them): see {@link ServerState#against}.
 */
final class Churn {

    /** Echo round trips a WebSocket client makes before it drops the connection. */
    static final int WS_ROUNDS = 2;
    private static final Duration POLL = Duration.ofMillis(100);

    /** What a client is in the middle of when it hangs up, and how many messages it gets before. */
    enum Kind {
        /** /stream, after START. */
        STREAM("/stream", 1),
        /** /fetch, after the first line. */
        FETCH("/fetch", 1),
        /** /websocket, after {@link #WS_ROUNDS} echoes, without a close frame. */
        WEBSOCKET("/websocket", WS_ROUNDS),
        /** A chat long-poll after the latest message, {@code first} ms after sending it: it waits, unanswered. */
        CHAT_POLL("chat long-poll", 0),
        /** A chat event stream from the room's start, after the first {@code event: message}. */
        CHAT_SSE("chat SSE", 1),
        /** A chat socket from the room's start, after the first message, without a close frame. */
        CHAT_SOCKET("chat socket", 1);

        final String label;
        final int messages;

        Kind(String label, int messages) {
            this.label = label;
            this.messages = messages;
        }

        boolean chat() {
            return name().startsWith("CHAT_");
        }
    }

    /** The longest a chat long-poll may ask to wait: the churn's polls end when their client is noticed gone. */
    private static final int POLL_TIMEOUT_MS = 120_000;

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
    /** The chat clients' room while {@link #run} runs with chat kinds, else null. */
    private ChurnRoom room;
    /** The last message published before the round: where its long-polls wait. */
    private String latest;

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
        try (ChurnRoom chat = kinds.stream().anyMatch(Kind::chat) ? new ChurnRoom(server.base()) : null) {
            room = chat;
            return churn(label, warmupClients, churn);
        } finally {
            room = null;
        }
    }

    private Outcome churn(String label, int warmupClients, Round churn) throws Exception {
        Round warmup = churn.withClients(warmupClients);
        System.out.printf("  warm-up: %d clients%n", warmup.clients());
        publishBeforeTheRound();
        List<LoadLoop.Conn> warm = new LoadLoop(target, warmup.clients(), ramp, deadline)
                .run(i -> client(i, warmup), System.nanoTime());
        JsonNode warmed = awaitStatus(s -> ServerState.openCounts(s).values().stream().allMatch(n -> n == 0),
                warmup);
        List<String> failures = new ArrayList<>(failures(warm));
        if (!ServerState.openCounts(warmed).values().stream().allMatch(n -> n == 0)) {
            failures.add("responses still open after the warm-up: " + warmed);
        }
        ServerState idle = server.read(server.status(), heap);

        publishBeforeTheRound();
        StatusPeak peak = new StatusPeak();
        Thread sampler = peak.start();
        LoadLoop loop = new LoadLoop(target, churn.clients(), ramp, deadline);
        long start = System.nanoTime();
        List<LoadLoop.Conn> conns = loop.run(i -> client(i, churn), start);
        long hungUp = System.nanoTime();
        sampler.interrupt(); // dead responses pile up while clients hang up; after the last one they only go
        sampler.join();
        // Nothing was published during the round: every long-poll the server took is still open, unwritten.
        int pollsWaiting = server.status().path("openChatPolls").asInt();

        Map<String, Double> settledAt = new LinkedHashMap<>();
        JsonNode settled = awaitStatus(s -> {
            Map<String, Integer> counts = ServerState.tracked(s);
            counts.forEach((field, n) -> {
                if (!n.equals(idle.settled().get(field))) {
                    settledAt.put(field, (System.nanoTime() - hungUp) / 1e9);
                }
            });
            return counts.equals(idle.settled()) && threadsQuietly() <= idle.threads();
        }, churn);
        ServerState after = server.read(settled, heap);
        List<Bench.Check> checks = new ArrayList<>(after.against(idle, settledAt));
        if (kinds.contains(Kind.CHAT_POLL)) {
            // Else the long-polls were answered or dropped before their clients went, and tested nothing.
            long polls = IntStream.range(0, conns.size())
                    .filter(i -> kind(i) == Kind.CHAT_POLL && complete(conns.get(i))).count();
            checks.add(new Bench.Check("chat long-polls waiting, unwritten, at the last hang-up", "",
                    pollsWaiting + " of the " + polls + " hung up", pollsWaiting >= polls));
        }
        if (heap) {
            StringBuilder growth = new StringBuilder("  live heap growth from idle, by class:");
            ServerProbe.topGrowth(idle.heap(), after.heap(), 8).forEach(e -> growth.append(
                    String.format("%n    %8.1f KB  %s", e.getValue() / 1024.0, e.getKey())));
            System.out.println(growth);
        }

        failures.addAll(failures(conns));
        int complete = (int) conns.stream().filter(Churn::complete).count();
        // Per client: a START, a first line, WS_ROUNDS echoes, nothing (a waiting long-poll) or a chat message.
        long expected = IntStream.range(0, churn.clients()).map(i -> kind(i).messages).sum();
        Bench.Result result = new Bench.Result(label, churn.clients(), complete, churn.clients() - complete,
                peak.peak.get(), expected, conns.stream().mapToLong(Churn::messages).sum(),
                failures.stream().distinct().limit(5).toList(), checks);
        StringBuilder perKind = new StringBuilder();
        for (Kind kind : Kind.values()) {
            perKind.append(perKind.isEmpty() ? "" : ", ").append(count(churn.clients(), kind));
        }
        String row = String.format("| %s | %s | %d (%d / %d) | %d | %.0f | %d |", label, perKind, complete,
                hungUp(conns, LoadLoop.HangUp.RST), hungUp(conns, LoadLoop.HangUp.FIN), churn.clients() - complete,
                churn.clients() / ((hungUp - start) / 1e9), peak.peak.get());
        StringBuilder verdict = new StringBuilder("| check | idle | after the churn | verdict |\n|---|---|---|---|");
        checks.forEach(c -> verdict.append(String.format("%n| %s | %s | %s | %s |", c.what(), c.idle(), c.after(),
                c.ok() ? "ok" : "**not back**")));
        return new Outcome(result, loop, "| run | clients: " + Arrays.stream(Kind.values()).map(k -> k.label)
                .collect(Collectors.joining(", ")) + " | hung up as planned (RST / FIN) | failed | hang-ups/s "
                + "| dead responses held at once (peak) |", "|---|---|---|---|---|---|", row, verdict.toString());
    }

    /** With chat clients: a message for the event streams and sockets, and the id after which the polls wait. */
    private void publishBeforeTheRound() throws IOException {
        if (room != null) {
            latest = room.publish();
        }
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
            case CHAT_POLL -> new WaitingRequest(get("/chat/" + room.name + "?since=" + latest + "&timeout="
                    + POLL_TIMEOUT_MS), Duration.ofMillis(round.first()), how);
            case CHAT_SSE -> Exchange.hangingUp(get("/chat/" + room.name + "?since=0-0",
                    "Accept: text/event-stream\r\n"), List.of("event: message"), how);
            case CHAT_SOCKET -> WsSession.listening("/chat/" + room.name + "/socket?since=0-0", host, how);
        };
    }

    private String get(String pathAndQuery) {
        return get(pathAndQuery, "");
    }

    private String get(String pathAndQuery, String headers) {
        return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n";
    }

    /** How many of {@code clients} are of {@code kind}. */
    private int count(int clients, Kind kind) {
        return (int) IntStream.range(0, clients).filter(i -> kind(i) == kind).count();
    }

    private static long hungUp(List<LoadLoop.Conn> conns, LoadLoop.HangUp how) {
        return conns.stream().filter(c -> complete(c) && c.hangUp() == how).count();
    }

    private static boolean complete(LoadLoop.Conn conn) {
        if (conn instanceof Exchange e) {
            return e.complete();
        }
        return conn instanceof WaitingRequest w ? w.complete() : ((WsSession) conn).complete();
    }

    private static long messages(LoadLoop.Conn conn) {
        if (conn instanceof Exchange e) {
            return e.marked();
        }
        return conn instanceof WaitingRequest ? 0 : ((WsSession) conn).rounds() - ((WsSession) conn).wrong;
    }

    private static String failure(LoadLoop.Conn conn) {
        if (conn instanceof Exchange e) {
            return e.failure;
        }
        return conn instanceof WaitingRequest w ? w.failure : ((WsSession) conn).failure;
    }

    private List<String> failures(List<LoadLoop.Conn> conns) {
        return IntStream.range(0, conns.size()).filter(i -> !complete(conns.get(i)))
                .mapToObj(i -> kind(i) + " " + conns.get(i).hangUp() + ": " + failure(conns.get(i)))
                .distinct().limit(5).toList();
    }

    /**
     * Polls /status until {@code done} holds or the deadline passes; returns the last status read. With chat
     * clients it publishes to the room every {@code interval} of the round meanwhile: dead chat clients are noticed
     * only when written to.
     */
    private JsonNode awaitStatus(Predicate<JsonNode> done, Round round) throws IOException, InterruptedException {
        long[] publishAt = {System.nanoTime()};
        return server.awaitStatus(done, deadline, POLL, () -> {
            long now = System.nanoTime();
            if (room != null && now >= publishAt[0]) {
                room.publish();
                publishAt[0] = now + round.interval() * 1_000_000L;
            }
        });
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
