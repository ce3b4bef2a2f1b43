package org.asyncprimer.it;

import java.util.Map;

/**
 * How a test wants its container: the size of the request thread pool and extra context parameters (the
 * deployer's knobs, as a {@code context.xml} would set them).
 */
public record ServerOptions(int maxThreads, Map<String, String> contextParams) {

    public static ServerOptions defaults() {
        return new ServerOptions(20, Map.of());
    }

    public ServerOptions withMaxThreads(int threads) {
        return new ServerOptions(threads, contextParams);
    }

    public ServerOptions withContextParams(Map<String, String> params) {
        return new ServerOptions(maxThreads, Map.copyOf(params));
    }
}
