package org.asyncprimer.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code /usr/bin/redis-server} on a free loopback port, with its data in a temporary folder and every
 * write in its append-only file, written and fsynced before Redis answers ({@code appendonly yes},
 * {@code appendfsync always}; no snapshots), for one test class. It can be stopped (SIGTERM) or killed (SIGKILL)
 * and started again on the same port and folder, which is how the fault tests take Redis away and bring it back
 * with what it had acknowledged. Without redis-server the test fails, naming the package to install.
 *
 * <p>Not the default {@code appendfsync everysec}: with it, while a background fsync is slow (a busy disk), Redis
 * postpones writing its buffer to the file for up to 2 s and answers meanwhile, so a SIGKILL can take writes it
 * had acknowledged, and a fault test would blame the broker for Redis's own bargain.
 */
public final class RedisServer implements AutoCloseable {

    /** Where Debian's package puts it; {@code -Dasyncprimer.redis-server=...} for another. */
    public static final Path BINARY = Path.of(System.getProperty("asyncprimer.redis-server", "/usr/bin/redis-server"));
    private static final Duration START_WITHIN = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a fresh server; the caller closes it. */
    public static RedisServer start() throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install redis-server (apt-get install redis-server)"
                    + " or point -Dasyncprimer.redis-server at one");
        }
        RedisServer server = new RedisServer(Files.createTempDirectory("async-primer-redis"), freePort());
        server.restart();
        return server;
    }

    /** A port nothing listens on right now (redis-server binds with SO_REUSEADDR, so it can take it after us). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, what {@code asyncprimer.chat.redis} takes. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on the same port and folder, and waits until it answers PING. */
    public void restart() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("redis-server is already running (pid " + process.pid() + ")");
        }
        process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
                "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.out").toFile())
                .start();
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (!answersPing()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not answer PING within " + START_WITHIN + ": " + log());
            }
            Thread.sleep(20); // polling interval; the loop checks the outcome
        }
    }

    /** Stops it as an operator would (SIGTERM: it finishes writing and exits), and waits until it is gone. */
    public void stop() throws InterruptedException {
        end(false);
    }

    /** Kills it (SIGKILL: a crash), and waits until it is gone. Acknowledged writes are on disk already. */
    public void kill() throws InterruptedException {
        end(true);
    }

    /**
     * Pauses it (SIGSTOP): its connections stay open and it answers nothing, as a stuck host would, until
     * {@link #resume()}.
     */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a paused server go on (SIGCONT): it then answers every command it was sent meanwhile, in order. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void end(boolean forcibly) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Deletes what Redis stored (its append-only files), as a Redis whose disk was lost has it; only while it is
     * stopped. The next {@link #restart()} starts it empty on the same port.
     */
    public void wipe() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("stop redis-server before wiping its data");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!file.equals(dir) && !file.getFileName().toString().startsWith("redis.")) {
                    Files.delete(file);
                }
            }
        }
    }

    /** Sends one command (each argument a bulk string) and returns the reply's lines, as the test's own check. */
    public List<String> command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(2000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(arg).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            socket.shutdownOutput();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
            return lines;
        }
    }

    /** How many times Redis has run a command since it started, from {@code INFO commandstats}. */
    public long calls(String command) throws IOException {
        String prefix = "cmdstat_" + command.toLowerCase() + ":calls=";
        for (String line : command("INFO", "commandstats")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    private boolean answersPing() {
        try {
            return command("PING").contains("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.out")) + Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server (paused or not) and deletes its folder. */
    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            resume(); // a stopped process would take SIGTERM only once it goes on
        }
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
