package org.asyncprimer.app;

import jakarta.servlet.ServletContext;

/**
 * Deployment settings read from context parameters (set them in {@code web.xml}, Tomcat's
 * {@code context.xml} or Jetty's context file). A bad value fails the deployment with a message that names
 * the parameter, rather than running with a surprise.
 */
public final class ContextParams {

    private ContextParams() {
    }

    public static int intParam(ServletContext context, String name, int fallback, int min, int max) {
        String raw = context.getInitParameter(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        Integer value = QueryParams.parse(raw.trim(), min, max);
        if (value == null) {
            throw new IllegalArgumentException("context parameter " + name + " must be an integer from "
                    + min + " to " + max + ", got '" + raw + "'");
        }
        return value;
    }

    public static String stringParam(ServletContext context, String name, String fallback) {
        String raw = context.getInitParameter(name);
        return raw == null || raw.isBlank() ? fallback : raw.trim();
    }
}
