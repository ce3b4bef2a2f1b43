package org.asyncprimer.it;

import java.net.URI;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty 12 (ee10) deploying the webapp as its deployer would: a {@code WebAppContext} with annotation
 * scanning and Jakarta WebSocket, both found on the class path by Jetty's configuration discovery.
 */
public final class JettyServer implements TestServer {

    /** Jetty runs its acceptor and selector on the same pool as requests: one thread each here. */
    private static final int CONNECTOR_THREADS = 2;

    private static final String MIN_SPARE_THREADS = "minSpareThreads";
    private static final String RESERVED_THREADS = "reservedThreads";

    private Server server;
    private ClassLoader webappClassLoader;

    @Override
    public URI start(Webapp webapp, ServerOptions options) throws Exception {
        // Reserved threads (none unless the benchmark asks) wait idle to take over the selector's work, so that the
        // selector thread runs the task it found itself (Jetty's execute-produce-consume); they come on top of the
        // request threads here, like the acceptor and selector.
        int reserved = Integer.parseInt(options.connector().getOrDefault(RESERVED_THREADS, "0"));
        int maxThreads = options.maxThreads() + CONNECTOR_THREADS + reserved;
        // Tomcat's name for the request threads always kept, so one ServerOptions fixes both containers' pools.
        String minSpare = options.connector().get(MIN_SPARE_THREADS);
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads, minSpare == null ? Math.min(8, maxThreads)
                : Integer.parseInt(minSpare) + CONNECTOR_THREADS + reserved);
        pool.setName("jetty");
        pool.setReservedThreads(reserved);
        server = new Server(pool);
        if (options.tls()) {
            throw new IllegalArgumentException("tls: only the Tomcat test server has a TLS connector");
        }
        HttpConfiguration http = http(options);
        // h2c next to HTTP/1.1: prior knowledge (the connection preface) and Upgrade: h2c.
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http),
                new HTTP2CServerConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        server.addConnector(connector);

        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        if (webapp.packaged()) {
            context.setWar(webapp.war().toString());
        } else {
            ResourceFactory resources = ResourceFactory.of(context);
            context.setBaseResource(resources.newResource(webapp.webRoot()));
            context.setExtraClasspath(webapp.classes().toString());
        }
        // Other containers' initializers on the test class path (Tomcat's WebSocket) must not start in Jetty.
        context.setAttribute("org.eclipse.jetty.containerInitializerExclusionPattern", "org\\.apache\\.tomcat\\..*");
        context.setThrowUnavailableOnStartupException(true);
        options.contextParams().forEach(context::setInitParameter);
        server.setHandler(context);
        // No graceful wait for open requests: a stop ends them at once (Tomcat's behaviour, and what tests want).
        server.setStopTimeout(0);

        server.start();
        if (!context.isAvailable()) {
            throw new IllegalStateException("the webapp did not deploy on Jetty");
        }
        webappClassLoader = context.getClassLoader();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    /** Jetty's defaults, with the buffer sizes the benchmark may set (bytes). */
    private static HttpConfiguration http(ServerOptions options) {
        HttpConfiguration http = new HttpConfiguration();
        options.connector().forEach((name, value) -> {
            if (name.equals(MIN_SPARE_THREADS) || name.equals(RESERVED_THREADS)) {
                return;
            }
            int bytes = Integer.parseInt(value);
            switch (name) {
                case "outputBufferSize" -> http.setOutputBufferSize(bytes);
                case "outputAggregationSize" -> http.setOutputAggregationSize(bytes);
                case "requestHeaderSize" -> http.setRequestHeaderSize(bytes);
                case "responseHeaderSize" -> http.setResponseHeaderSize(bytes);
                default -> throw new IllegalArgumentException("not a Jetty HttpConfiguration size: " + name);
            }
        });
        return http;
    }

    @Override
    public ClassLoader webappClassLoader() {
        return webappClassLoader;
    }

    /**
     * Jetty has no leak report like Tomcat's: {@code WebAppContext} stops and drops its class loader without
     * looking for threads or ThreadLocals the application left behind. {@link Deployment#stop()} checks threads.
     */
    @Override
    public void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
