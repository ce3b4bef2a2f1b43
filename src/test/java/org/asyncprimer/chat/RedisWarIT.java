package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.asyncprimer.it.Container;
import org.asyncprimer.it.LogRecords;
import org.asyncprimer.it.RedisServer;
import org.junit.jupiter.api.Test;

/**
 * The packaged WAR's own classes and libraries, loaded apart from the test class path, connect to Redis and
 * publish: a standalone container gives a web application nothing but the Servlet API, while the test class path
 * has all Maven resolves for the tests (SLF4J among them, for Jetty 12). Lettuce 7 loads SLF4J whenever it makes
 * a connection; a WAR without it deployed, logged nothing and never connected.
 */
class RedisWarIT {

    @Test
    void theWarsOwnLibrariesConnectToRedisAndPublish() throws Exception {
        Container.assumeRunning(Container.TOMCAT_11); // the Jakarta WAR, checked once
        try (UnpackedWar unpacked = UnpackedWar.of(war()); RedisServer redis = RedisServer.start()) {
            ClassLoader webapp = unpacked.loader();
            Class<?> settings = webapp.loadClass(ChatSettings.class.getName());
            Class<?> draft = webapp.loadClass(Draft.class.getName());
            Class<?> broker = webapp.loadClass(Broker.class.getName());
            Object redisBroker = webapp.loadClass("org.asyncprimer.chat.redis.RedisBroker")
                    .getMethod("start", String.class, settings).invoke(null, redis.url(),
                            settings.getConstructor(int.class, int.class, long.class, Duration.class, Duration.class)
                                    .newInstance(100, 10, 1L << 20, Duration.ofMinutes(1), Duration.ofSeconds(15)));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!(Boolean) broker.getMethod("connected").invoke(redisBroker) && System.nanoTime() < deadline) {
                    Thread.sleep(20); // polling interval; the loop checks the outcome
                }
                assertTrue((Boolean) broker.getMethod("connected").invoke(redisBroker), "the WAR's broker connects");
                CompletionStage<?> published = (CompletionStage<?>) broker.getMethod("publish", String.class, draft)
                        .invoke(redisBroker, "war", draft.getConstructor(String.class, String.class)
                                .newInstance("alice", "hello"));
                Object message = published.toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals("hello", message.getClass().getMethod("text").invoke(message));
            } finally {
                broker.getMethod("close").invoke(redisBroker);
            }
        }
    }

    /**
     * What Lettuce logs through SLF4J reaches the container's log: the WAR ships SLF4J's provider for
     * java.util.logging, where the application's own System.Logger lines go too. Without one, SLF4J prints "No SLF4J
     * providers were found" and drops every line. The javax WAR holds the same libraries (JavaxWarIT).
     */
    @Test
    void theWarsSlf4jLogsWhereTheApplicationsOwnLogsGo() throws Exception {
        Container.assumeRunning(Container.TOMCAT_11);
        try (LogRecords logged = LogRecords.of("org.asyncprimer.slf4jcheck");
             UnpackedWar unpacked = UnpackedWar.of(war())) {
            Class<?> factory = unpacked.loader().loadClass("org.slf4j.LoggerFactory");
            Object loggers = factory.getMethod("getILoggerFactory").invoke(null);
            assertNotEquals("org.slf4j.helpers.NOPLoggerFactory", loggers.getClass().getName(),
                    "the WAR's SLF4J found no provider and drops every line");
            Object slf4j = factory.getMethod("getLogger", String.class).invoke(null, logged.loggerName());
            slf4j.getClass().getMethod("warn", String.class).invoke(slf4j, "from the WAR's SLF4J");

            assertEquals(List.of("from the WAR's SLF4J"), logged.messages());
            assertEquals(Level.WARNING, logged.records().get(0).getLevel());
        }
    }

    private static Path war() {
        return Path.of(System.getProperty("asyncprimer.war", "target/async-primer.war"));
    }

    /**
     * The WAR unpacked into a temporary folder and its own classes and libraries on a class loader of their own,
     * the context class loader while it is open (as a container runs the application; Lettuce's reflection looks
     * there); closing it deletes the folder.
     */
    private record UnpackedWar(Path folder, URLClassLoader loader) implements AutoCloseable {

        static UnpackedWar of(Path war) throws IOException {
            Path folder = Files.createTempDirectory("async-primer-war");
            URLClassLoader loader = new URLClassLoader(classPath(war, folder).toArray(URL[]::new),
                    ClassLoader.getPlatformClassLoader());
            Thread.currentThread().setContextClassLoader(loader);
            return new UnpackedWar(folder, loader);
        }

        @Override
        public void close() throws IOException {
            Thread.currentThread().setContextClassLoader(RedisWarIT.class.getClassLoader());
            loader.close();
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** WEB-INF/classes and every WEB-INF/lib jar, unpacked from the WAR, plus the container's Servlet API. */
    private static List<URL> classPath(Path war, Path into) throws IOException {
        List<URL> urls = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(war))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                if (entry.isDirectory() || !name.startsWith("WEB-INF/")) {
                    continue;
                }
                Path file = into.resolve(name).normalize();
                if (!file.startsWith(into)) {
                    throw new IOException("an entry outside the WAR's folder: " + name);
                }
                Files.createDirectories(file.getParent());
                copy(zip, file);
                if (name.startsWith("WEB-INF/lib/") && name.endsWith(".jar")) {
                    urls.add(file.toUri().toURL());
                }
            }
        }
        urls.add(0, into.resolve("WEB-INF/classes").toUri().toURL()); // a folder's URL ends in '/' once it exists
        urls.add(ServletContext.class.getProtectionDomain().getCodeSource().getLocation());
        return urls;
    }

    private static void copy(InputStream in, Path file) throws IOException {
        Files.write(file, in.readAllBytes());
    }
}
