import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.locks.LockSupport;

/**
 * What the chat's fan-out costs this machine with no server at all: the floor under issue #11's and #12's latency
 * targets. A writer process accepts N loopback TCP connections and, at RATE messages a second, writes each message
 * (SIZE bytes, about a chat message as an SSE event) to every connection from THREADS plain Java NIO threads, each
 * owning every THREADS-th connection, one pass per wake; a connection that fell behind gets everything it missed in
 * one gathering write, as the app's fan-out does (one flush per run of delivery). A reader process holds the other
 * ends on one selector thread, as the benchmark's chat client does (or on the reader's THREADS, each with its
 * share), and measures publish-to-receive latency (System.nanoTime: on Linux the machine's monotonic clock, the
 * same in both processes). No HTTP, no JSON, no container:
 * whatever latency this shows, a servlet container on the same cores is unlikely to beat.
 *
 * <pre>
 * java src/bench/LoopbackFloor.java write PORT N RATE DURATION_S THREADS SIZE SETTLE_MS
 * java src/bench/LoopbackFloor.java read  PORT N RATE DURATION_S LEAD_IN SIZE THREADS
 * </pre>
 * src/bench/floor.sh runs the two and stops both.
 */
public final class LoopbackFloor {

    public static void main(String[] args) throws Exception {
        if (args.length == 8 && args[0].equals("write")) {
            write(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    Integer.parseInt(args[7]));
        } else if (args.length == 8 && args[0].equals("read")) {
            read(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    Integer.parseInt(args[7]));
        } else {
            System.err.println("usage: write PORT N RATE DURATION_S THREADS SIZE SETTLE_MS"
                    + " | read PORT N RATE DURATION_S LEAD_IN SIZE THREADS");
            System.exit(2);
        }
    }

    // ---- the writer ----

    private static void write(int port, int n, int rate, int seconds, int threads, int size, int settleMs)
            throws Exception {
        if (size < 32) {
            throw new IllegalArgumentException("SIZE must hold the message's time and number: 32 bytes or more");
        }
        SocketChannel[] channels = new SocketChannel[n];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
            System.out.println("writer: listening");
            for (int i = 0; i < n; i++) {
                channels[i] = server.accept();
                channels[i].configureBlocking(false);
                channels[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        }
        System.out.printf("writer: %d connections; first message in %d ms%n", n, settleMs);
        Thread.sleep(settleMs); // a benchmark's pause, not a wait for anything

        int total = rate * seconds;
        byte[][] messages = new byte[total][];
        Fanout fanout = new Fanout(channels, messages, threads);
        long cpuBefore = cpuNanos();
        fanout.start();
        long start = System.nanoTime();
        for (int m = 0; m < total; m++) {
            long due = start + m * 1_000_000_000L / rate;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            messages[m] = message(System.nanoTime(), m, size);
            fanout.publish(m + 1);
        }
        fanout.finish(System.nanoTime() + 10_000_000_000L);
        System.out.printf("writer: %d messages to %d connections; CPU %.2f s (the process), %d writes, %d partial%n",
                total, n, (cpuNanos() - cpuBefore) / 1e9, fanout.writes(), fanout.partial());
        for (SocketChannel channel : channels) {
            channel.close();
        }
    }

    /** The message: its publish time and number in digits, padded to {@code size} bytes, a newline last. */
    private static byte[] message(long nanos, int number, int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        byte[] head = String.format("%019d %09d ", nanos, number).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[size - 1] = '\n';
        return bytes;
    }

    /** THREADS writer threads; thread k writes to connections k, k + THREADS, ... */
    private static final class Fanout {
        private final SocketChannel[] channels;
        private final byte[][] messages;
        private final Thread[] threads;
        /** Per connection: messages fully written, and bytes of the next one already written. */
        private final int[] sent;
        private final int[] sentBytes;
        private final long[] writes;
        private final long[] partial;
        private volatile int published;
        private volatile long endNanos = Long.MAX_VALUE;

        Fanout(SocketChannel[] channels, byte[][] messages, int count) {
            this.channels = channels;
            this.messages = messages;
            this.threads = new Thread[count];
            this.sent = new int[channels.length];
            this.sentBytes = new int[channels.length];
            this.writes = new long[count];
            this.partial = new long[count];
            for (int k = 0; k < count; k++) {
                int stripe = k;
                threads[k] = new Thread(() -> run(stripe), "fanout-" + k);
            }
        }

        void start() {
            for (Thread thread : threads) {
                thread.start();
            }
        }

        void publish(int count) {
            published = count;
            for (Thread thread : threads) {
                LockSupport.unpark(thread);
            }
        }

        /** Lets the threads write what is left, until every connection has everything or {@code deadline}. */
        void finish(long deadline) throws InterruptedException {
            endNanos = deadline;
            for (Thread thread : threads) {
                LockSupport.unpark(thread);
                thread.join();
            }
        }

        long writes() {
            return Arrays.stream(writes).sum();
        }

        long partial() {
            return Arrays.stream(partial).sum();
        }

        private void run(int stripe) {
            ByteBuffer[] batch = new ByteBuffer[messages.length];
            int done = 0; // messages every connection of this stripe has
            while (true) {
                int upTo = published;
                if (done >= messages.length || System.nanoTime() > endNanos) {
                    return;
                }
                if (upTo == done) {
                    LockSupport.parkNanos(10_000_000L);
                    continue;
                }
                int behind = Integer.MAX_VALUE;
                for (int i = stripe; i < channels.length; i += threads.length) {
                    if (sent[i] < upTo) {
                        writeTo(stripe, i, upTo, batch);
                    }
                    behind = Math.min(behind, sent[i]);
                }
                done = behind;
                if (done < upTo) {
                    LockSupport.parkNanos(1_000_000L); // some client's socket is full: let it read
                }
            }
        }

        /** One gathering write of everything connection i misses, as the app writes a run of delivery. */
        private void writeTo(int stripe, int i, int upTo, ByteBuffer[] batch) {
            int first = sent[i];
            int count = upTo - first;
            for (int m = 0; m < count; m++) {
                batch[m] = ByteBuffer.wrap(messages[first + m]);
            }
            batch[0].position(sentBytes[i]);
            try {
                channels[i].write(batch, 0, count);
            } catch (IOException e) {
                sent[i] = Integer.MAX_VALUE; // the reader is gone: nothing more for it
                return;
            }
            writes[stripe]++; // a write that took nothing (the socket full) counts as partial below
            int m = 0;
            while (m < count && !batch[m].hasRemaining()) {
                m++;
            }
            sent[i] = first + m;
            sentBytes[i] = m < count ? batch[m].position() : 0;
            if (m < count) {
                partial[stripe]++;
            }
        }
    }

    // ---- the reader ----

    private static void read(int port, int n, int rate, int seconds, int leadIn, int size, int threads)
            throws Exception {
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        Reader[] readers = new Reader[threads];
        for (int k = 0; k < threads; k++) {
            readers[k] = new Reader(n / threads + (k < n % threads ? 1 : 0), rate * seconds, leadIn, size);
        }
        for (int i = 0; i < n; i++) {
            readers[i % threads].connect(target);
        }
        System.out.printf("reader: %d connections on %d threads%n", n, threads);
        long cpuBefore = cpuNanos(); // what reading costs, not connecting
        long deadline = System.nanoTime() + (seconds + 60) * 1_000_000_000L;
        Thread[] running = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            Reader reader = readers[k];
            running[k] = new Thread(() -> reader.run(deadline), "reader-" + k);
            running[k].start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        int[] sorted = Arrays.stream(readers).flatMapToInt(r -> Arrays.stream(r.latencyMicros, 0, r.recorded))
                .sorted().toArray();
        long expected = (long) n * Math.max(rate * seconds - leadIn, 0);
        System.out.printf("reader: delivered %d / %d measured (%d lead-in messages not measured);"
                        + " latency ms p50 %.1f p99 %.1f max %.1f; CPU %.2f s (the process)%n",
                sorted.length, expected, leadIn, percentile(sorted, 0.50), percentile(sorted, 0.99),
                percentile(sorted, 1.0), (cpuNanos() - cpuBefore) / 1e9);
    }

    /** One selector thread's connections, read as the benchmark's chat client reads them. */
    private static final class Reader {
        private final Selector selector = Selector.open();
        private final int total;
        private final int leadIn;
        private final int size;
        private final int[] latencyMicros;
        private int recorded;
        private final int[] position; // bytes of the current message read
        private final long[] stamp; // its publish time, read digit by digit
        private final int[] received;
        private int connections;
        private int complete;

        Reader(int n, int total, int leadIn, int size) throws IOException {
            this.total = total;
            this.leadIn = leadIn;
            this.size = size;
            this.latencyMicros = new int[n * Math.max(total - leadIn, 0)];
            this.position = new int[n];
            this.stamp = new long[n];
            this.received = new int[n];
        }

        void connect(InetSocketAddress target) throws IOException {
            SocketChannel channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(target);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, connections++);
        }

        void run(long deadline) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
            try (selector) {
                while (complete < connections && System.nanoTime() < deadline) {
                    selector.select(100);
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        buffer.clear();
                        int read = ((SocketChannel) key.channel()).read(buffer);
                        long now = System.nanoTime();
                        if (read < 0) {
                            key.cancel();
                            key.channel().close();
                            if (received[(Integer) key.attachment()] < total) {
                                complete++; // cut short; one that had everything was counted then
                            }
                        } else {
                            received((Integer) key.attachment(), buffer, read, now);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void received(int i, ByteBuffer buffer, int read, long now) {
            for (int b = 0; b < read; b++) {
                int at = position[i]++;
                if (at < 19) {
                    stamp[i] = stamp[i] * 10 + (buffer.get(b) - '0');
                }
                if (position[i] == size) {
                    if (received[i] >= leadIn && recorded < latencyMicros.length) {
                        latencyMicros[recorded++] = (int) ((now - stamp[i]) / 1000);
                    }
                    position[i] = 0;
                    stamp[i] = 0;
                    if (++received[i] == total) {
                        complete++;
                    }
                }
            }
        }
    }

    private static double percentile(int[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
