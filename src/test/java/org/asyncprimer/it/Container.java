package org.asyncprimer.it;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The servlet containers the build proves the WAR on. */
public enum Container {

    TOMCAT_11("Tomcat 11", () -> new TomcatServer("11.")),
    /** Needs Tomcat 10.1 on the class path instead of 11: the build's second failsafe execution. */
    TOMCAT_10_1("Tomcat 10.1", () -> new TomcatServer("10.1.")),
    JETTY_12("Jetty 12", JettyServer::new),
    /** Servlet 3.1, for the javax WAR: the build's javax failsafe execution puts Tomcat 8.5 on the class path. */
    TOMCAT_8_5("Tomcat 8.5", () -> new TomcatServer("8.5.")),
    /** Servlet 3.1, for the javax WAR, in the same execution as Tomcat 8.5. */
    JETTY_9_4("Jetty 9.4", () -> compiledApart("org.asyncprimer.it.Jetty94Server"));

    private final String displayName;
    private final Supplier<TestServer> factory;

    Container(String displayName, Supplier<TestServer> factory) {
        this.displayName = displayName;
        this.factory = factory;
    }

    public TestServer create() {
        return factory.get();
    }

    /**
     * The containers this test JVM runs, named by {@code -Dasyncprimer.containers} (comma-separated); by default
     * those whose classes are on the class path as the pom sets it up, Tomcat 11 and Jetty 12.
     */
    public static Stream<Container> all() {
        String named = System.getProperty("asyncprimer.containers", "TOMCAT_11,JETTY_12");
        List<String> names = List.of(named.split("\\s*,\\s*"));
        return Stream.of(values()).filter(c -> names.contains(c.name()));
    }

    /**
     * Skips the calling test unless this JVM runs every one of these containers: for a test that starts named
     * containers side by side rather than each of {@link #all()}. The pom leaves such a test out of the other
     * executions, but {@code -Dit.test=...} overrides the pom's excludes and runs it in every execution.
     */
    public static void assumeRunning(Container... needed) {
        List<Container> running = all().toList();
        Assumptions.assumeTrue(running.containsAll(List.of(needed)),
                () -> "needs " + List.of(needed) + "; this execution runs " + running);
    }

    /** Jetty (9.4 and 12) closes connections before it stops the contexts; Tomcat stops the contexts first. */
    public boolean isJetty() {
        return this == JETTY_12 || this == JETTY_9_4;
    }

    /** A test server compiled against an old container apart from the other tests (src/test-javax). */
    private static TestServer compiledApart(String className) {
        try {
            return Class.forName(className).asSubclass(TestServer.class).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(className + " is in target/javax-test-classes, which only the pom's "
                    + "javax failsafe execution puts on the class path", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    @Override
    public String toString() {
        return displayName;
    }
}
