package org.asyncprimer.it;

import java.net.URI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.webapp.Configuration;
import org.eclipse.jetty.webapp.WebAppContext;

/**
 * Embedded Jetty 9.4 (Servlet 3.1, WebSocket 1.1) deploying the javax WAR as its deployer would: a
 * {@code WebAppContext} with annotation scanning, which also finds Jetty's javax WebSocket initializer. The same
 * setup as {@link JettyServer} for Jetty 12, in 9.4's API; compiled against Jetty 9.4 apart from the other test
 * sources (its classes share names with Jetty 12's), see the pom's {@code javax-test-compile}.
 */
public final class Jetty94Server implements TestServer {

    /** Jetty runs its acceptor and selector on the same pool as requests: one thread each here. */
    private static final int CONNECTOR_THREADS = 2;

    private static final String MIN_SPARE_THREADS = "minSpareThreads";

    private Server server;
    private ClassLoader webappClassLoader;

    @Override
    public URI start(Webapp webapp, ServerOptions options) throws Exception {
        if (!webapp.packaged()) {
            throw new IllegalStateException("Jetty 9.4 runs the javax WAR only: set asyncprimer.war to "
                    + "target/async-primer-javax.war (mvn verify does)");
        }
        if (!Server.getVersion().startsWith("9.4.")) {
            throw new IllegalStateException("expected Jetty 9.4 on the class path, found " + Server.getVersion());
        }
        int maxThreads = options.maxThreads() + CONNECTOR_THREADS;
        // Tomcat's name for the request threads always kept, so one ServerOptions fixes both containers' pools.
        String minSpare = options.connector().get(MIN_SPARE_THREADS);
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads,
                minSpare == null ? Math.min(8, maxThreads) : Integer.parseInt(minSpare) + CONNECTOR_THREADS);
        pool.setName("jetty");
        pool.setReservedThreads(0);
        server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http(options)));
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        server.addConnector(connector);

        // Jetty 9.4 scans for @WebServlet, @WebListener and ServletContainerInitializers (among them the one
        // that sets up @ServerEndpoint) only with AnnotationConfiguration added, as its "annotations" module does.
        Configuration.ClassList.setServerDefault(server).addBefore(
                "org.eclipse.jetty.webapp.JettyWebXmlConfiguration",
                "org.eclipse.jetty.annotations.AnnotationConfiguration");
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        context.setWar(webapp.war().toString());
        // Other containers' initializers on the test class path (Tomcat's WebSocket and JSP) must not start here.
        context.setAttribute("org.eclipse.jetty.containerInitializerExclusionPattern",
                "org\\.apache\\.(tomcat|jasper)\\..*");
        context.setThrowUnavailableOnStartupException(true);
        options.contextParams().forEach(context::setInitParameter);
        server.setHandler(context);
        // No graceful wait for open requests: a stop ends them at once (Tomcat's behaviour, and what tests want).
        server.setStopTimeout(0);

        server.start();
        if (!context.isAvailable()) {
            throw new IllegalStateException("the webapp did not deploy on Jetty 9.4");
        }
        webappClassLoader = context.getClassLoader();
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    /** Jetty's defaults, with the buffer sizes the benchmark may set (bytes). */
    private static HttpConfiguration http(ServerOptions options) {
        HttpConfiguration http = new HttpConfiguration();
        options.connector().forEach((name, value) -> {
            if (name.equals(MIN_SPARE_THREADS)) {
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

    @Override
    public void stop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public String toString() {
        return "Jetty " + Server.getVersion();
    }
}
