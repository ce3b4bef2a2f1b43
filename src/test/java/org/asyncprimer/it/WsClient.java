package org.asyncprimer.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for the tests: the JDK's {@code java.net.http.WebSocket}, chosen explicitly. (A JSR-356
 * client from {@code ContainerProvider} would be whichever implementation comes first on the class path.)
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

    /** How the server closed the session. */
    public record Close(int code, String reason) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private final boolean reading;

    private WsClient(boolean reading) {
        this.reading = reading;
    }

    /** Opens {@code ws://host:port/websocket}; {@code origin} null sends no Origin header. */
    public static CompletableFuture<WsClient> connect(URI base, String origin) {
        return connect(base, origin, true);
    }

    /** Opens {@code ws://host:port} + {@code pathAndQuery}, e.g. {@code /chat/lobby/socket?since=0-0}. */
    public static CompletableFuture<WsClient> connect(URI base, String pathAndQuery, String origin) {
        return connect(base, pathAndQuery, origin, true);
    }

    /** A client that never reads what the server sends: its socket's receive window fills and stays full. */
    public static WsClient openNotReading(URI base) throws Exception {
        return connect(base, null, false).get(10, TimeUnit.SECONDS);
    }

    /** The same, at {@code pathAndQuery}. */
    public static WsClient openNotReading(URI base, String pathAndQuery) throws Exception {
        return connect(base, pathAndQuery, null, false).get(10, TimeUnit.SECONDS);
    }

    private static CompletableFuture<WsClient> connect(URI base, String origin, boolean reading) {
        return connect(base, "/websocket", origin, reading);
    }

    private static CompletableFuture<WsClient> connect(URI base, String pathAndQuery, String origin, boolean reading) {
        WsClient client = new WsClient(reading);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + pathAndQuery);
        return builder.buildAsync(uri, client).thenApply(ws -> {
            client.socket = ws;
            return client;
        });
    }

    public static WsClient open(URI base) throws Exception {
        return connect(base, null).get(10, TimeUnit.SECONDS);
    }

    /** Sends one text message and waits for the next reply. */
    public String roundTrip(String message) throws Exception {
        send(message);
        return nextReply();
    }

    public String roundTrip(byte[] message) throws Exception {
        send(message);
        return nextReply();
    }

    public void send(String message) throws Exception {
        socket.sendText(message, true).get(10, TimeUnit.SECONDS);
    }

    public void send(byte[] message) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(message), true).get(10, TimeUnit.SECONDS);
    }

    /** The next message if one comes within {@code wait}, else null. */
    public String nextReply(Duration wait) throws InterruptedException {
        return replies.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drops the connection without a close frame, as a crashed client or a lost network does. */
    public void abort() {
        socket.abort();
    }

    public String nextReply() throws InterruptedException {
        String reply = replies.poll(10, TimeUnit.SECONDS);
        if (reply == null) {
            throw new AssertionError("no reply within 10 s" + (closed.isDone() ? "; closed: " + closed.join() : ""));
        }
        return reply;
    }

    /** How the server closed the session, waiting up to {@code seconds}. */
    public Close awaitClose(long seconds) throws Exception {
        return closed.get(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    /** A client from {@link #openNotReading} starts reading: what the server sent so far arrives. */
    public void startReading() {
        socket.request(1);
    }

    /** Replies received and not yet taken by {@link #nextReply}. */
    public int unreadReplies() {
        return replies.size();
    }

    /** Sends without waiting for replies; false once the connection is gone. */
    public boolean trySend(String message) {
        try {
            socket.sendText(message, true).get(10, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            replies.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        }
        if (socket != null) {
            socket.abort();
        }
    }
}
