package org.asyncprimer.it;

import java.net.URI;

/** A servlet container running the application on a free loopback port, for one test class. */
public interface TestServer extends AutoCloseable {

    /** Deploys the application at the root context and returns its base URI, e.g. {@code http://127.0.0.1:41234/}. */
    URI start(Webapp webapp, ServerOptions options) throws Exception;

    /**
     * The class loader the container gave the application (null before start): a thread whose context class
     * loader it is was started by the application, directly or from a thread the application was running on.
     */
    ClassLoader webappClassLoader();

    /** Stops the container; open requests are ended, not waited for. */
    void stop() throws Exception;

    @Override
    default void close() throws Exception {
        stop();
    }
}
