package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that has finished keeps its connection until the run ends: hanging up at once made the server take
 * every client's hang-up while it was still delivering the last message to the others, and that message's latency
 * became the run's p99.
 */
class SubscriberLoopTest {

    /** Finished once it is connected (first) or once it has read a byte (second). */
    private static final class Client implements SubscriberLoop.Client {
        private final boolean finishOnConnect;
        private volatile boolean finished;
        final List<String> closes = new CopyOnWriteArrayList<>();

        Client(boolean finishOnConnect) {
            this.finishOnConnect = finishOnConnect;
        }

        @Override
        public ByteBuffer outgoing() {
            return ByteBuffer.allocate(0);
        }

        @Override
        public void connected(long now) {
            finished = finishOnConnect;
        }

        @Override
        public void received(ByteBuffer data, long now) {
            finished = true;
        }

        @Override
        public boolean reconnect(long now) {
            return false;
        }

        @Override
        public void closed(long now, String failure) {
            closes.add(String.valueOf(failure));
        }

        @Override
        public boolean finished() {
            return finished;
        }

        @Override
        public boolean inProgress() {
            return !finished;
        }
    }

    @Test
    void aFinishedClientsConnectionStaysOpenUntilEveryClientHasFinished() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Client early = new Client(true);
            Client late = new Client(false);
            SubscriberLoop loop = new SubscriberLoop(List.of((InetSocketAddress) server.getLocalSocketAddress()), 2,
                    1000);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            CountDownLatch ended = new CountDownLatch(1);
            Thread running = new Thread(() -> {
                try {
                    long start = System.nanoTime();
                    loop.run(i -> i == 0 ? early : late, start, start + TimeUnit.SECONDS.toNanos(30), () -> false);
                } catch (Throwable e) {
                    failed.set(e);
                } finally {
                    ended.countDown();
                }
            }, "subscriber-loop");
            running.start();
            // Client i connects from 127.0.0.(2 + i): that tells the accepted sockets apart.
            Map<String, Socket> accepted = new ConcurrentHashMap<>();
            server.setSoTimeout(10_000);
            for (int i = 0; i < 2; i++) {
                Socket socket = server.accept();
                accepted.put(socket.getInetAddress().getHostAddress(), socket);
            }
            try {
                Socket earlySocket = accepted.get("127.0.0.2");
                Socket lateSocket = accepted.get("127.0.0.3");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (early.closes.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // polling with the deadline above
                }
                assertEquals(List.of("null"), early.closes, "the early client is done (closed without a failure)");

                // Its connection is still open while the other client has not finished: no EOF within a second.
                earlySocket.setSoTimeout(1000);
                assertThrows(SocketTimeoutException.class, () -> earlySocket.getInputStream().read(),
                        "the finished client's connection was closed before the run ended");

                lateSocket.getOutputStream().write('x'); // the late client finishes, and with it the run
                assertTrue(ended.await(10, TimeUnit.SECONDS), "the loop did not end once every client finished");
                assertEquals(null, failed.get());
                assertEquals(-1, readWithin(earlySocket), "closed when the run ended");
                assertEquals(-1, readWithin(lateSocket), "closed when the run ended");
                assertEquals(List.of("null"), early.closes, "told once, without a failure: not \"stopped\"");
                assertEquals(List.of("null"), late.closes);
            } finally {
                for (Socket socket : accepted.values()) {
                    socket.close();
                }
            }
        }
    }

    private static int readWithin(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        return socket.getInputStream().read();
    }
}
