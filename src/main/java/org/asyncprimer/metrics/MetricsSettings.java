package org.asyncprimer.metrics;

import jakarta.servlet.ServletContext;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.asyncprimer.app.ContextParams;

/**
 * The deployer's metrics settings, read once from context parameters when the context starts:
 * <ul>
 * <li>{@code asyncprimer.metrics.enabled}: {@code true} (default) or {@code false}. Off, every meter is a no-op,
 *     no JVM meter is bound, and {@code /metrics} and {@code /status/stream} answer 404: what the benchmark compares
 *     against to show what metering costs;
 * <li>{@code asyncprimer.metrics.allow}: comma-separated client addresses that may read {@code /metrics} and
 *     {@code /status/stream} besides loopback ones, as the container reports them ({@code getRemoteAddr()}), e.g.
 *     {@code 10.0.0.5,192.168.1.20} (default: none; others get 403).
 * </ul>
 */
public record MetricsSettings(boolean enabled, Set<String> allow) {

    public static final String ENABLED = "asyncprimer.metrics.enabled";
    public static final String ALLOW = "asyncprimer.metrics.allow";

    public static MetricsSettings from(ServletContext context) {
        return new MetricsSettings(
                bool(ContextParams.stringParam(context, ENABLED, "true")),
                Arrays.stream(ContextParams.stringParam(context, ALLOW, "").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()));
    }

    private static boolean bool(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(
                    "context parameter " + ENABLED + " must be true or false, got '" + raw + "'");
        };
    }
}
