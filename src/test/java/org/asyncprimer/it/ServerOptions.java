package org.asyncprimer.it;

import java.util.Map;

/**
 * How a test wants its container: the size of the request thread pool, extra context parameters (the
 * deployer's knobs, as a {@code context.xml} would set them), the port (0: any free one), and container-specific
 * connector settings for the benchmark (Tomcat connector attributes; Jetty {@code HttpConfiguration} sizes, and
 * Tomcat's {@code minSpareThreads}, which {@link JettyServer} takes as its pool's minimum of request threads, and
 * Jetty's {@code reservedThreads}, 0 unless given).
 * Plain connectors speak HTTP/1.1 and h2c; {@code tls} (Tomcat only) makes the connector TLS with h2 by ALPN and
 * a self-signed certificate for localhost, and the base URI {@code https://localhost:PORT/}.
 */
public record ServerOptions(int maxThreads, Map<String, String> contextParams, int port,
                            Map<String, String> connector, boolean tls) {

    public static ServerOptions defaults() {
        return new ServerOptions(20, Map.of(), 0, Map.of(), false);
    }

    public ServerOptions withMaxThreads(int threads) {
        return new ServerOptions(threads, contextParams, port, connector, tls);
    }

    public ServerOptions withContextParams(Map<String, String> params) {
        return new ServerOptions(maxThreads, Map.copyOf(params), port, connector, tls);
    }

    public ServerOptions withPort(int fixedPort) {
        return new ServerOptions(maxThreads, contextParams, fixedPort, connector, tls);
    }

    public ServerOptions withConnector(Map<String, String> settings) {
        return new ServerOptions(maxThreads, contextParams, port, Map.copyOf(settings), tls);
    }

    public ServerOptions withTls() {
        return new ServerOptions(maxThreads, contextParams, port, connector, true);
    }
}
