package org.asyncprimer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;

/**
 * The chat scenario's subscribers on one selector thread, as {@link LoadLoop} runs its clients (paced opening,
 * source addresses 127.0.0.2 to 127.0.0.9), with two things a chat subscriber needs: a client may ask for a new
 * connection when the server closes its old one (a long-poll on a server that closes after each answer), and the
 * loop also stops when told to (the publisher is done and its grace has passed) so a lost message costs that grace,
 * not the whole deadline. With several targets (the nodes of a cluster), client i connects to target i mod their
 * number, every time.
 *
 * <p>A client that has finished (or failed) keeps its connection open, drained, nothing more read into it, until the
 * run ends; if the server closes or resets it first, it is only closed. Hanging up the moment a client had the last
 * message made the server take thousands of hang-ups while it was still delivering that message to the others: the
 * last message came 570-800 ms late where messages 2 to 29 came within 140-250 ms, and with one message in thirty
 * that was the run's p99 (src/bench/results/chat-2026-11-27.md).
 */
final class SubscriberLoop {

    /** One subscriber as the loop sees it. */
    interface Client {
        /** Bytes to send now; empty when there is nothing (more) to send. */
        ByteBuffer outgoing();

        /** A connection (the first, or a new one after {@link #reconnect()}) is open. */
        void connected(long now);

        void received(ByteBuffer data, long now);

        /** The server closed the connection: true to open a new one and go on. */
        boolean reconnect(long now);

        /** Closed for good: {@code failure} is null when the client finished or the server closed in order. */
        void closed(long now, String failure);

        /**
         * The client has what it came for: it is closed (told so at once), and its connection is closed when the run
         * ends, not now (see {@link SubscriberLoop}).
         */
        boolean finished();

        /** Counted as subscribed right now (for the peak and the series). */
        boolean inProgress();
    }

    private final List<InetSocketAddress> targets;
    private final int count;
    private final int perSecond;
    private final List<LoadLoop.Sample> samples = new ArrayList<>();
    private int peak;

    SubscriberLoop(List<InetSocketAddress> targets, int count, int perSecond) {
        this.targets = List.copyOf(targets);
        this.count = count;
        this.perSecond = perSecond;
    }

    /**
     * Runs until every client is done, {@code stop} says so (checked every few ms) or {@code endNanos}; then every
     * connection still open is closed, and a client that had not finished is told "stopped". Returns the clients.
     */
    <C extends Client> List<C> run(IntFunction<C> open, long startNanos, long endNanos, BooleanSupplier stop)
            throws IOException {
        List<C> clients = new ArrayList<>(count);
        SocketChannel[] channels = new SocketChannel[count];
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        boolean[] finished = new boolean[count]; // done, its connection left open until the run ends
        int done = 0;
        long lastSample = 0;
        long lastProgress = 0;
        try (Selector selector = Selector.open()) {
            while (done < count && System.nanoTime() < endNanos && !stop.getAsBoolean()) {
                long now = System.nanoTime();
                long due = Math.min(count, (now - startNanos) / 1_000_000L * perSecond / 1000 + 1);
                while (clients.size() < due) {
                    int i = clients.size();
                    clients.add(open.apply(i));
                    if (!connect(selector, channels, i, clients.get(i), now)) {
                        done++;
                    }
                }
                selector.select(5);
                now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    C client = clients.get(i);
                    SocketChannel channel = channels[i];
                    try {
                        if (key.isConnectable()) {
                            channel.finishConnect();
                            client.connected(now);
                        }
                        if (key.isReadable()) {
                            buffer.clear();
                            int n = channel.read(buffer);
                            if (finished[i]) { // only drained (heartbeats); closed if the server closes it
                                if (n < 0) {
                                    key.cancel();
                                    channel.close();
                                }
                                continue;
                            }
                            if (n < 0) {
                                key.cancel();
                                channel.close();
                                if (!client.reconnect(now)) {
                                    client.closed(now, null);
                                    done++;
                                } else if (!connect(selector, channels, i, client, now)) {
                                    done++;
                                }
                                continue;
                            }
                            buffer.flip();
                            client.received(buffer, now);
                        }
                        ByteBuffer out = client.outgoing();
                        if (out.hasRemaining()) {
                            channel.write(out);
                        }
                        if (client.finished()) {
                            finished[i] = true;
                            client.closed(now, null);
                            done++;
                            key.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        key.interestOps(SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                    } catch (IOException e) {
                        key.cancel();
                        channel.close();
                        if (!finished[i]) { // a finished client's connection reset by the server: already done
                            client.closed(now, e.getClass().getSimpleName() + ": " + e.getMessage());
                            done++;
                        }
                    }
                }
                selector.selectedKeys().clear();
                if (now - lastSample >= 100_000_000L) {
                    lastSample = now;
                    int held = (int) clients.stream().filter(Client::inProgress).count();
                    peak = Math.max(peak, held);
                    samples.add(new LoadLoop.Sample((now - startNanos) / 1_000_000L, held));
                    if (now - lastProgress >= 1_000_000_000L) {
                        lastProgress = now;
                        System.out.printf("  %5.1f s  opened %6d  subscribed %6d  done %6d%n",
                                (now - startNanos) / 1e9, clients.size(), held, done);
                    }
                }
            }
            long now = System.nanoTime();
            for (int i = 0; i < clients.size(); i++) {
                if (channels[i] != null && channels[i].isOpen()) {
                    channels[i].close();
                    if (!finished[i]) {
                        clients.get(i).closed(now, "stopped");
                    }
                }
            }
        }
        return clients;
    }

    /** Opens client i's connection (again) from its source address; false, after telling it, if that failed. */
    private boolean connect(Selector selector, SocketChannel[] channels, int i, Client client, long now)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        channels[i] = channel;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.bind(new InetSocketAddress("127.0.0." + (2 + i % 8), 0));
            channel.connect(targets.get(i % targets.size()));
            channel.register(selector, SelectionKey.OP_CONNECT, i);
            return true;
        } catch (IOException e) {
            channel.close();
            client.closed(now, "connect: " + e.getMessage());
            return false;
        }
    }

    List<LoadLoop.Sample> samples() {
        return samples;
    }

    int peak() {
        return peak;
    }
}
