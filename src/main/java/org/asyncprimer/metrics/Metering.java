package org.asyncprimer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The application's meter registry: created when the context starts, with the JVM's meters (memory, GC,
 * threads, class loading, CPU) bound to it, and closed when the context stops. No global registry: a redeployed
 * application starts from a registry of its own and leaves nothing registered in the JVM behind it.
 *
 * <p>Features are handed the {@link MeterRegistry} ({@code App.meters()}) and resolve their meters once, in
 * {@code init()} or per kind, so that a hot path costs one counter increment or timer record.
 */
public final class Metering implements AutoCloseable {

    /** Prometheus' text format, what prometheus and curl read by default. */
    public static final String PROMETHEUS_TEXT = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** OpenMetrics, for a scraper that asks for it by {@code Accept}. */
    public static final String OPEN_METRICS = OpenMetricsTextFormatWriter.CONTENT_TYPE;

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final AllowedClients allowed;
    /** The JVM meters that hold on to something until closed. */
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Metering(MeterRegistry registry, PrometheusMeterRegistry prometheus, AllowedClients allowed) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.allowed = allowed;
    }

    public static Metering start(MetricsSettings settings) {
        AllowedClients allowed = new AllowedClients(settings.allow());
        if (!settings.enabled()) {
            // Every meter a feature asks for is a no-op: what "metering off" costs is what the benchmark compares.
            MeterRegistry off = new SimpleMeterRegistry();
            off.config().meterFilter(MeterFilter.deny());
            return new Metering(off, null, allowed);
        }
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
                new PrometheusRegistry(), io.micrometer.core.instrument.Clock.SYSTEM);
        Metering metering = new Metering(prometheus, prometheus, allowed);
        metering.bind(new JvmMemoryMetrics());
        metering.bind(new JvmGcMetrics()); // listens to the JVM's GC notifications until closed
        metering.bind(new JvmThreadMetrics());
        metering.bind(new ClassLoaderMetrics());
        metering.bind(new ProcessorMetrics());
        return metering;
    }

    private void bind(MeterBinder binder) {
        binder.bindTo(registry);
        if (binder instanceof AutoCloseable closeable) {
            closeables.add(closeable);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** False when the deployer turned metering off: every meter is a no-op and there is nothing to show. */
    public boolean enabled() {
        return prometheus != null;
    }

    /** Whether a client at this address (getRemoteAddr()) may read the figures. */
    public boolean allows(String remoteAddr) {
        return allowed.allows(remoteAddr);
    }

    /** Writes every meter in {@link #PROMETHEUS_TEXT} or {@link #OPEN_METRICS}. */
    void scrape(OutputStream out, String contentType) throws IOException {
        if (prometheus == null) {
            throw new IllegalStateException("metering is off");
        }
        prometheus.scrape(out, contentType);
    }

    /**
     * Unhooks the JVM meters (the GC meters' notification listeners would otherwise keep this application's
     * classes reachable after undeploy) and closes the registry.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the application's meters failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        closeables.clear();
        registry.close();
        if (failure != null) {
            throw failure;
        }
    }
}
