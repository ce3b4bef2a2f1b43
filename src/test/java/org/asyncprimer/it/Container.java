package org.asyncprimer.it;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The servlet containers the build proves the WAR on. */
public enum Container {

    TOMCAT_11("Tomcat 11", () -> new TomcatServer("11.")),
    /** Needs Tomcat 10.1 on the class path instead of 11: the build's second failsafe execution. */
    TOMCAT_10_1("Tomcat 10.1", () -> new TomcatServer("10.1.")),
    JETTY_12("Jetty 12", JettyServer::new);

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

    @Override
    public String toString() {
        return displayName;
    }
}
