package org.asyncprimer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that has finished keeps its connection until the run ends: hanging up at once made the server take
 * every client's hang-up while it was still delivering the last message to the others, and that message's latency
 * became the run's p99. Two clients: {@code early} finishes once connected, {@code late} once it reads a byte.
 */
class SubscriberLoopTest {

    /** Finished once it is connected (early) or once it has read a byte (late). */
    private static final class Client implements SubscriberLoop.Client {
        private final boolean finishOnConnect;
        private volatile boolean finished;
        final List<String> closes = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

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
            closed.countDown();
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

    private final Client early = new Client(true);
    private final Client late = new Client(false);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private ServerSocket server;
    private Thread running;
    private Socket earlySocket;
    private Socket lateSocket;

    @BeforeEach
    void startTheLoop() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        SubscriberLoop loop = new SubscriberLoop(List.of((InetSocketAddress) server.getLocalSocketAddress()), 2,
                1000);
        running = new Thread(() -> {
            try {
                long start = System.nanoTime();
                loop.run(i -> i == 0 ? early : late, start, start + TimeUnit.SECONDS.toNanos(30), stop::get);
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
        earlySocket = accepted.get("127.0.0.2");
        lateSocket = accepted.get("127.0.0.3");
        assertTrue(early.closed.await(10, TimeUnit.SECONDS), "the early client did not finish");
        assertEquals(List.of("null"), early.closes, "the early client is done, without a failure");
    }

    @AfterEach
    void stopTheLoop() throws Exception {
        stop.set(true);
        running.join(10_000);
        for (Socket socket : new Socket[] {earlySocket, lateSocket}) {
            if (socket != null) {
                socket.close();
            }
        }
        server.close();
    }

    @Test
    void aFinishedClientsConnectionStaysOpenUntilEveryClientHasFinished() throws Exception {
        // Still open while the other client has not finished: no end of stream within a second.
        earlySocket.setSoTimeout(1000);
        assertThrows(SocketTimeoutException.class, () -> earlySocket.getInputStream().read(),
                "the finished client's connection was closed before the run ended");

        finishTheRun();
        assertEquals(-1, readWithin(earlySocket), "closed when the run ended");
        assertEquals(-1, readWithin(lateSocket), "closed when the run ended");
    }

    @Test
    void aFinishedClientsConnectionResetByTheServerDoesNotEndTheRun() throws Exception {
        earlySocket.setSoLinger(true, 0);
        earlySocket.close(); // an RST: the loop's next read of it throws
        // The run goes on for the late client, which has not been told anything.
        assertTrue(!ended.await(1, TimeUnit.SECONDS) && late.closes.isEmpty(),
                "the reset of a finished client's connection ended the run: late client told " + late.closes);

        finishTheRun();
    }

    /** The late client finishes, and with it the run: each client told once, without a failure. */
    private void finishTheRun() throws Exception {
        lateSocket.getOutputStream().write('x');
        assertTrue(ended.await(10, TimeUnit.SECONDS), "the loop did not end once every client finished");
        assertNull(failed.get());
        assertEquals(List.of("null"), early.closes, "told once, without a failure: not \"stopped\"");
        assertEquals(List.of("null"), late.closes);
    }

    private static int readWithin(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        return socket.getInputStream().read();
    }
}
