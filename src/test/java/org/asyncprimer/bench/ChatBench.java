package org.asyncprimer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The {@code chat} scenario (issue #11): N subscribers of one room over Server-Sent Events, WebSocket, long-poll
 * or a mix of the three, and one publisher at a given rate. Every subscriber reads from after a marker published
 * first, so each must get every message of the run; the tool reports delivered/expected, messages out of order,
 * duplicates, publish-to-receive latency, how long each publish took to be answered, and with {@code --pid} the
 * server's peak threads, RSS and CPU (with {@code --heap} also its live heap per subscriber, taken when all are
 * subscribed and before the first publish, so its full GC does not touch the latencies).
 *
 * <p>{@code --url} may list several nodes of one cluster (comma-separated, issue #12): subscriber i then subscribes
 * on node i mod their number, the publisher publishes on the first, and the table has a row per node as well, so
 * the other nodes' latencies are the cross-node ones.
 *
 * <pre>mvn -q test-compile exec:java -Dbench="chat --url http://127.0.0.1:8080/ --transport sse --n 10000 --pid 12345"</pre>
 *
 * Options: {@code --transport} sse|ws|poll|mix (sse), {@code --n} (1000), {@code --rate} messages/s (1),
 * {@code --duration} s (30), {@code --room} (bench), {@code --ramp} subscribers/s (2000), {@code --settle} ms
 * between all subscribed and the first publish (1000), {@code --lead-in} messages published first at the same rate
 * and not measured (0), {@code --grace} s to wait for the last message after the last publish (10),
 * {@code --pid}, {@code --heap}, {@code --label}, {@code --out}, {@code --deadline} s.
 */
final class ChatBench {

    private static final List<String> MIX = List.of("sse", "ws", "poll");

    private final Map<String, String> options;

    private ChatBench(Map<String, String> options) {
        this.options = options;
    }

    static Bench.Result run(Map<String, String> options) throws Exception {
        return new ChatBench(options).run();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int number(String name, int fallback) {
        return Integer.parseInt(option(name, Integer.toString(fallback)));
    }

    private Bench.Result run() throws Exception {
        List<URI> nodes = Arrays.stream(option("url", "http://127.0.0.1:8080/").split(","))
                .map(String::trim).map(URI::create).toList();
        URI base = nodes.get(0); // the publisher's
        List<String> hosts = nodes.stream().map(node -> node.getHost() + ":" + node.getPort()).toList();
        String transport = option("transport", "sse");
        if (!transport.equals("mix") && !MIX.contains(transport)) {
            throw new IllegalArgumentException("--transport must be sse, ws, poll or mix, not " + transport);
        }
        int n = number("n", 1000);
        double rate = Double.parseDouble(option("rate", "1"));
        int count = (int) Math.round(rate * Double.parseDouble(option("duration", "30")));
        String room = option("room", "bench");
        int ramp = number("ramp", 2000);
        long grace = TimeUnit.SECONDS.toNanos(number("grace", 10));
        String label = option("label", "chat-" + transport + "-" + n);
        Path out = Path.of(option("out", "target/bench"));
        ServerProbe probe = options.containsKey("pid") ? new ServerProbe(Long.parseLong(option("pid", ""))) : null;
        boolean heap = probe != null && options.containsKey("heap");

        System.out.printf("%s: %d %s subscribers of %s, %d messages at %s/s, against %s%s%n", label, n, transport,
                room, count, option("rate", "1"), String.join(", ", hosts),
                nodes.size() > 1 ? " (subscribers in turn; the publisher on the first)" : "");
        ChatPublisher publisher = new ChatPublisher(base, room);
        String marker = publisher.marker();
        ServerProbe.Heap baseline = heap ? probe.liveHeap() : null;
        AtomicReference<ServerProbe.Heap> atPeak = new AtomicReference<>();
        double cpuBefore = probe == null ? 0 : probe.cpuSeconds();
        AtomicLong peakRss = new AtomicLong();
        AtomicLong peakThreads = new AtomicLong();
        Thread sampler = probe == null ? null : Bench.sampleServer(probe, peakRss, peakThreads);

        AtomicInteger ready = new AtomicInteger();
        long readyBy = TimeUnit.SECONDS.toNanos(n / ramp + 30);
        Thread publishing = new Thread(() -> {
            // Every subscriber subscribed (or failed) first, else after a while with those that did.
            boolean all = awaitReady(ready, n, readyBy);
            if (all && heap) {
                atPeak.set(liveHeapQuietly(probe));
            }
            if (pause(number("settle", 1000))) {
                publisher.publish(number("lead-in", 0), count, rate);
            } else {
                publisher.done();
            }
        }, "bench-chat-publisher");

        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(number("deadline",
                (int) (n / ramp + 30 + 60 + (number("lead-in", 0) + count) / rate + grace / 1_000_000_000L)));
        SubscriberLoop loop = new SubscriberLoop(nodes.stream()
                .map(node -> new InetSocketAddress(node.getHost(), node.getPort())).toList(), n, ramp);
        publishing.start();
        List<ChatSubscriber> subscribers = loop.run(i -> {
            String kind = transport.equals("mix") ? MIX.get(i % MIX.size()) : transport;
            String host = hosts.get(i % hosts.size()); // the node SubscriberLoop connects client i to
            return switch (kind) {
                case "sse" -> new SseSubscriber(host, room, marker, count, ready::incrementAndGet);
                case "ws" -> new WsSubscriber(host, room, marker, count, ready::incrementAndGet);
                default -> new PollSubscriber(host, room, marker, count, ready::incrementAndGet);
            };
        }, start, deadline, () -> publisher.doneAt() != 0 && System.nanoTime() - publisher.doneAt() > grace);
        // Subscribers can have the last message before its publish is answered: let that answer come.
        if (!subscribers.stream().allMatch(ChatSubscriber::hasLast)) {
            publishing.interrupt();
        }
        publishing.join(TimeUnit.SECONDS.toMillis(40));
        publishing.interrupt();
        publishing.join();

        // With a mix, one row per transport first; the server's columns belong to the run, on its last row.
        String blanks = (probe != null ? " | | |" : "") + (heap ? " |" : "");
        StringBuilder table = new StringBuilder("| run | transport | subscribers | subscribed (peak) "
                + "| published (rate/s) | delivered / expected | complete | out of order | duplicates "
                + "| latency ms p50 / p99 / max | publish answered ms p50 / p99 / max |"
                + (probe != null ? " server threads (peak) | RSS MB (peak) | CPU s |" : "")
                + (heap ? " live heap KB per subscriber (app's) |" : "")
                + "\n|---|---|---|---|---|---|---|---|---|---|---|" + (probe != null ? "---|---|---|" : "")
                + (heap ? "---|" : "") + "\n");
        if (transport.equals("mix")) {
            for (String kind : MIX) {
                List<ChatSubscriber> group = subscribers.stream().filter(s -> s.transport.equals(kind)).toList();
                table.append(row(label, kind, group, group.stream().filter(ChatSubscriber::wasSubscribed).count(),
                        publisher, count)).append(blanks).append('\n');
            }
        }
        for (int node = 0; nodes.size() > 1 && node < nodes.size(); node++) {
            int at = node;
            List<ChatSubscriber> group = IntStream.range(0, subscribers.size()).filter(i -> i % nodes.size() == at)
                    .mapToObj(subscribers::get).toList();
            table.append(row(label + " @" + hosts.get(node) + (node == 0 ? " (publisher's)" : ""), transport,
                    group, group.stream().filter(ChatSubscriber::wasSubscribed).count(), publisher, count))
                    .append(blanks).append('\n');
        }
        table.append(row(label, transport, subscribers, loop.peak(), publisher, count));
        if (sampler != null) {
            sampler.interrupt();
            sampler.join();
            table.append(String.format(" %d | %.0f | %.1f |", peakThreads.get(), peakRss.get() / 1048576.0,
                    probe.cpuSeconds() - cpuBefore));
        }
        if (heap) {
            ServerProbe.Heap peak = atPeak.get();
            table.append(peak == null ? " – |" : String.format(" %.2f (%.3f) |",
                    (peak.totalBytes() - baseline.totalBytes()) / 1024.0 / n,
                    (peak.appBytes() - baseline.appBytes()) / 1024.0 / n));
            if (peak != null) {
                StringBuilder growth = new StringBuilder("\n  live heap growth per subscriber, by class:");
                ServerProbe.topGrowth(baseline, peak, 8).forEach(e -> growth.append(String.format(
                        "%n    %8.2f KB  %s", e.getValue() / 1024.0 / n, e.getKey())));
                System.out.println(growth);
            }
        }
        List<String> failures = failures(subscribers, publisher);
        System.out.println();
        System.out.println(table);
        if (!failures.isEmpty()) {
            System.out.println("failures (kinds, how many): " + failures);
        }
        Files.createDirectories(out);
        StringBuilder command = new StringBuilder("`chat");
        options.forEach((k, v) -> command.append(" --").append(k).append("true".equals(v) ? "" : " " + v));
        Files.writeString(out.resolve("results.md"), "\n" + command + "`\n\n" + table + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Chart.writeSeries(out.resolve(label + ".csv"), loop.samples());
        writePerMessage(out.resolve(label + "-per-message.csv"), subscribers, count);

        int complete = (int) subscribers.stream().filter(ChatSubscriber::complete).count();
        return new Bench.Result(label, n, complete, n - complete, loop.peak(), (long) n * count,
                subscribers.stream().mapToLong(ChatSubscriber::delivered).sum(), failures, List.of());
    }

    /** One table row for these subscribers, without the server's columns. */
    private static String row(String label, String transport, List<ChatSubscriber> group, long subscribed,
                              ChatPublisher publisher, int count) {
        double[] latency = group.stream().flatMapToLong(s -> Arrays.stream(s.latencyNanos))
                .filter(nanos -> nanos > 0).mapToDouble(nanos -> nanos / 1e6).toArray();
        return String.format("| %s | %s | %d | %d | %d of %d (%.2f) | %d / %d | %d | %d | %d | %s | %s |", label,
                transport, group.size(), subscribed, publisher.published(), count, publisher.achievedRate(),
                group.stream().mapToLong(ChatSubscriber::delivered).sum(), (long) group.size() * count,
                group.stream().filter(ChatSubscriber::complete).count(),
                group.stream().mapToInt(s -> s.outOfOrder).sum(), group.stream().mapToInt(s -> s.duplicates).sum(),
                Stats.of(latency).cell(), Stats.of(publisher.answerMs()).cell());
    }

    /**
     * Latency of each message across the subscribers that got it (seq, p50, p99, max ms): whether a run's tail is
     * every message's last subscribers or a few messages that came late to all.
     */
    private static void writePerMessage(Path file, List<ChatSubscriber> subscribers, int count) throws IOException {
        StringBuilder csv = new StringBuilder("seq,p50_ms,p99_ms,max_ms\n");
        for (int seq = 1; seq <= count; seq++) {
            int at = seq;
            Stats stats = Stats.of(subscribers.stream().mapToLong(s -> s.latencyNanos[at]).filter(nanos -> nanos > 0)
                    .mapToDouble(nanos -> nanos / 1e6).toArray());
            csv.append(String.format("%d,%.0f,%.0f,%.0f%n", seq, stats.p50(), stats.p99(), stats.max()));
        }
        Files.writeString(file, csv);
    }

    /** Each kind of failure once, with how many subscribers it struck; the publisher's first. */
    private static List<String> failures(List<ChatSubscriber> subscribers, ChatPublisher publisher) {
        List<String> kinds = new ArrayList<>();
        if (publisher.failure() != null) {
            kinds.add("publisher: " + publisher.failure());
        }
        Map<String, Long> byKind = subscribers.stream().filter(s -> !s.complete())
                .map(ChatSubscriber::why)
                .collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()));
        byKind.forEach((why, how) -> kinds.add(why + " (" + how + ")"));
        return kinds.subList(0, Math.min(kinds.size(), 8));
    }

    private static boolean awaitReady(AtomicInteger ready, int n, long within) {
        long end = System.nanoTime() + within;
        while (ready.get() < n) {
            if (System.nanoTime() > end) {
                System.out.printf("  only %d of %d subscribers ready: publishing all the same%n", ready.get(), n);
                return false;
            }
            if (!pause(50)) {
                return false;
            }
        }
        return true;
    }

    /** False when interrupted: the subscribers' loop has ended, there is nothing to publish for. */
    private static boolean pause(long ms) {
        try {
            Thread.sleep(ms); // the publisher's own thread, waiting for its moment
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static ServerProbe.Heap liveHeapQuietly(ServerProbe probe) {
        try {
            System.out.println("  every subscriber subscribed: taking the live heap (a full GC pauses the server)");
            return probe.liveHeap();
        } catch (IOException | InterruptedException e) {
            System.err.println("live heap at peak: " + e.getMessage());
            return null;
        }
    }
}
