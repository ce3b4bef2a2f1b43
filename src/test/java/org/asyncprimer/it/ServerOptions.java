package org.asyncprimer.it;

import java.util.Map;

/**
 * How a test wants its container: the size of the request thread pool, extra context parameters (the
 * deployer's knobs, as a {@code context.xml} would set them) and the port (0: any free one).
 */
public record ServerOptions(int maxThreads, Map<String, String> contextParams, int port) {

    public static ServerOptions defaults() {
        return new ServerOptions(20, Map.of(), 0);
    }

    public ServerOptions withMaxThreads(int threads) {
        return new ServerOptions(threads, contextParams, port);
    }

    public ServerOptions withContextParams(Map<String, String> params) {
        return new ServerOptions(maxThreads, Map.copyOf(params), port);
    }

    public ServerOptions withPort(int fixedPort) {
        return new ServerOptions(maxThreads, contextParams, fixedPort);
    }
}
