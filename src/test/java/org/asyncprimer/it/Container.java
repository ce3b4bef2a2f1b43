package org.asyncprimer.it;

import java.util.function.Supplier;
import java.util.stream.Stream;

/** The servlet containers the build proves the WAR on. */
public enum Container {

    TOMCAT_11("Tomcat 11", TomcatServer::new);

    private final String displayName;
    private final Supplier<TestServer> factory;

    Container(String displayName, Supplier<TestServer> factory) {
        this.displayName = displayName;
        this.factory = factory;
    }

    public TestServer create() {
        return factory.get();
    }

    /** The containers this test JVM runs: all of them, or the one named by {@code -Dasyncprimer.containers}. */
    public static Stream<Container> all() {
        String only = System.getProperty("asyncprimer.containers", "");
        return Stream.of(values()).filter(c -> only.isBlank() || only.contains(c.name()));
    }

    @Override
    public String toString() {
        return displayName;
    }
}
