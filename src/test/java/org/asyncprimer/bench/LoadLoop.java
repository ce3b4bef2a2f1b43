package org.asyncprimer.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Thousands of client connections on one selector thread. Connections open at a paced rate, each from one of
 * the source addresses 127.0.0.2 to 127.0.0.9 (so the TIME_WAIT sockets of one run do not exhaust the ports of
 * the next); the loop stops when every connection is done or at the deadline, whichever comes first.
 */
final class LoadLoop {

    /** One client connection as the loop sees it. */
    interface Conn {
        /** Bytes to send now; empty when there is nothing (more) to send. */
        ByteBuffer outgoing();

        void connected(long now);

        void received(ByteBuffer data, long now);

        /** The connection is closed: {@code failure} is null for an orderly close by the server. */
        void closed(long now, String failure);

        /** The client has finished and wants the connection closed: asked after each read, and every 100 ms. */
        boolean finished();

        /** How the loop closes the connection once {@link #finished()}: an orderly FIN unless the client says RST. */
        default HangUp hangUp() {
            return HangUp.FIN;
        }

        /** Counted as held by the server right now. */
        boolean inProgress();
    }

    /**
     * How a client closes a connection it is done with: FIN is an orderly close (the server's next write still
     * succeeds; the peer answers it with RST), RST aborts it ({@code SO_LINGER} 0: the server's next write fails).
     */
    enum HangUp { FIN, RST }

    /** The number of connections in progress, sampled every 100 ms. */
    record Sample(long atMillis, int inProgress) {
    }

    private final InetSocketAddress target;
    private final int count;
    private final int perSecond;
    private final Duration deadline;
    private final List<Sample> samples = new ArrayList<>();
    private int peak;
    private Runnable onAllHeld = () -> { };
    private boolean allHeld;

    LoadLoop(InetSocketAddress target, int count, int perSecond, Duration deadline) {
        this.target = target;
        this.count = count;
        this.perSecond = perSecond;
        this.deadline = deadline;
    }

    /** Runs {@code action} on its own thread the first time every connection is in progress at once. */
    void whenAllHeld(Runnable action) {
        onAllHeld = action;
    }

    /** Runs the load; {@code open} makes the client for connection {@code i}. Returns when all are done. */
    <C extends Conn> List<C> run(IntFunction<C> open, long startNanos) throws IOException {
        List<C> conns = new ArrayList<>(count);
        List<SocketChannel> channels = new ArrayList<>(count);
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        int done = 0;
        long lastSample = 0;
        long lastProgress = 0;
        long end = startNanos + deadline.toNanos();
        try (Selector selector = Selector.open()) {
            while (done < count && System.nanoTime() < end) {
                long now = System.nanoTime();
                long due = Math.min(count, (now - startNanos) / 1_000_000L * perSecond / 1000 + 1);
                while (conns.size() < due) {
                    int i = conns.size();
                    C conn = open.apply(i);
                    conns.add(conn);
                    SocketChannel channel = SocketChannel.open();
                    channels.add(channel);
                    try {
                        channel.configureBlocking(false);
                        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        channel.bind(new InetSocketAddress("127.0.0." + (2 + i % 8), 0));
                        channel.connect(target);
                        channel.register(selector, SelectionKey.OP_CONNECT, i);
                    } catch (IOException e) {
                        channel.close();
                        conn.closed(now, "connect: " + e.getMessage());
                        done++;
                    }
                }
                selector.select(5);
                now = System.nanoTime();
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    C conn = conns.get(i);
                    SocketChannel channel = channels.get(i);
                    try {
                        if (key.isConnectable()) {
                            channel.finishConnect();
                            conn.connected(now);
                        }
                        if (key.isReadable()) {
                            buffer.clear();
                            int n = channel.read(buffer);
                            if (n < 0) {
                                close(key, channel);
                                conn.closed(now, null);
                                done++;
                                continue;
                            }
                            buffer.flip();
                            conn.received(buffer, now);
                        }
                        ByteBuffer out = conn.outgoing();
                        if (out.hasRemaining()) {
                            channel.write(out);
                        }
                        if (conn.finished()) {
                            hangUp(key, channel, conn);
                            conn.closed(now, null);
                            done++;
                            continue;
                        }
                        key.interestOps(SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                    } catch (IOException e) {
                        close(key, channel);
                        conn.closed(now, e.getClass().getSimpleName() + ": " + e.getMessage());
                        done++;
                    }
                }
                selector.selectedKeys().clear();
                if (now - lastSample >= 100_000_000L) {
                    lastSample = now;
                    done += hangUpOnTheClock(selector, conns, channels, now);
                    int held = (int) conns.stream().filter(Conn::inProgress).count();
                    peak = Math.max(peak, held);
                    if (held == count && !allHeld) {
                        allHeld = true;
                        new Thread(onAllHeld, "bench-all-held").start();
                    }
                    samples.add(new Sample((now - startNanos) / 1_000_000L, held));
                    if (now - lastProgress >= 1_000_000_000L) {
                        lastProgress = now;
                        System.out.printf("  %5.1f s  opened %6d  in progress %6d  done %6d%n",
                                (now - startNanos) / 1e9, conns.size(), held, done);
                    }
                }
            }
            long now = System.nanoTime();
            for (int i = 0; i < channels.size(); i++) {
                if (channels.get(i).isOpen()) {
                    channels.get(i).close();
                    conns.get(i).closed(now, "deadline");
                }
            }
        }
        return conns;
    }

    /**
     * Closes the connections whose clients have finished with nothing to read, such as a long-poll that hangs up
     * while it waits ({@link WaitingRequest}): they decide on the clock, so they are asked here, every 100 ms.
     * Returns how many it closed.
     */
    private static <C extends Conn> int hangUpOnTheClock(Selector selector, List<C> conns,
                                                         List<SocketChannel> channels, long now) {
        int closed = 0;
        for (SelectionKey key : List.copyOf(selector.keys())) {
            int i = (Integer) key.attachment();
            C conn = conns.get(i);
            if (key.isValid() && conn.finished()) {
                try {
                    hangUp(key, channels.get(i), conn);
                    conn.closed(now, null);
                } catch (IOException e) {
                    conn.closed(now, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                closed++;
            }
        }
        return closed;
    }

    /** Closes a finished client's connection the way it asks: an orderly FIN, or an RST ({@code SO_LINGER} 0). */
    private static void hangUp(SelectionKey key, SocketChannel channel, Conn conn) throws IOException {
        try {
            if (conn.hangUp() == HangUp.RST) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } finally {
            close(key, channel);
        }
    }

    private static void close(SelectionKey key, SocketChannel channel) throws IOException {
        key.cancel();
        channel.close();
    }

    List<Sample> samples() {
        return samples;
    }

    int peak() {
        return peak;
    }
}
