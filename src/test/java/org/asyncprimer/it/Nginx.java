package org.asyncprimer.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Debian's {@code /usr/sbin/nginx} running the shipped {@code docker/nginx.conf} in front of local nodes: the
 * configuration is used as it is, except for what only a test changes: the port it listens on (a free loopback
 * one), the upstream servers ({@code docker/nginx-upstream.conf} with its {@code server} lines replaced by the
 * nodes' ports), and one worker process, so that its round robin goes strictly in turn (each worker keeps its own
 * turn). Its pid file, logs and temporary files go to a folder of its own; it runs in the foreground
 * ({@code daemon off}) as a child process, stopped by its pid. Without nginx the test fails, naming the package.
 */
public final class Nginx implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("asyncprimer.nginx", "/usr/sbin/nginx"));
    public static final Path CONFIG = Path.of("docker/nginx.conf");
    public static final Path UPSTREAM = Path.of("docker/nginx-upstream.conf");
    private static final Duration START_WITHIN = Duration.ofSeconds(10);

    private final Path dir;
    private final int port;
    private final Process process;

    private Nginx(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts nginx in front of these nodes ({@code http://127.0.0.1:<port>/} each); the caller closes it. */
    public static Nginx start(List<URI> nodes) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install nginx (apt-get install nginx)"
                    + " or point -Dasyncprimer.nginx at one");
        }
        // nginx's workers run as an unprivileged user when started as root: they must reach the temp folders.
        Path dir = Files.createTempDirectory("async-primer-nginx",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int port = RedisServer.freePort();

        String config = Files.readString(CONFIG);
        config = rewrite(config, "listen 8080;", "listen 127.0.0.1:" + port + ";");
        config = rewrite(config, "worker_processes auto;", "worker_processes 1;");
        config = rewrite(config, "http {", "http {\n" + tempPaths(dir));
        Files.writeString(conf.resolve("nginx.conf"), config);

        String servers = nodes.stream()
                .map(node -> "    server " + node.getHost() + ":" + node.getPort() + ";")
                .collect(Collectors.joining("\n"));
        String upstream = Files.readString(UPSTREAM).replaceAll("(?m)^\\s*server\\s+[^;]+;\\n?", "")
                .replace("upstream app {", "upstream app {\n" + servers);
        Files.writeString(conf.resolve("nginx-upstream.conf"), upstream);

        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c",
                conf.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString(),
                "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Nginx nginx = new Nginx(dir, port, process);
        nginx.awaitListening();
        return nginx;
    }

    private static String rewrite(String config, String from, String to) {
        if (!config.contains(from)) {
            throw new IllegalStateException(CONFIG + " no longer has '" + from + "', which this test rewrites");
        }
        return config.replace(from, to);
    }

    private static String tempPaths(Path dir) {
        StringBuilder lines = new StringBuilder();
        for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            lines.append("    ").append(kind).append("_temp_path ").append(dir.resolve("temp-" + kind)).append(";\n");
        }
        return lines.toString();
    }

    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        for (;;) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("nginx exited with " + process.exitValue() + ": " + output());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("nginx did not listen within " + START_WITHIN + ": " + output());
                }
                Thread.sleep(20); // polling interval; the loop checks the outcome
            }
        }
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** What nginx wrote: its access log (the shipped config sends it to stdout) and its errors. */
    public String output() throws IOException {
        return Files.readString(dir.resolve("nginx.out"));
    }

    /** Stops nginx (SIGTERM: a fast shutdown) and waits for it, then deletes its folder. */
    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
