package org.asyncprimer.app;

import jakarta.servlet.http.HttpServletResponse;

/** Headers that keep proxies and browsers from holding a streamed body back. */
public final class NoBuffering {

    private NoBuffering() {
    }

    public static void apply(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-cache");
        // nginx buffers proxied responses unless told otherwise:
        // https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering
        response.setHeader("X-Accel-Buffering", "no");
        // Without it a browser may wait for more bytes to sniff the type before it renders any of them.
        response.setHeader("X-Content-Type-Options", "nosniff");
    }
}
