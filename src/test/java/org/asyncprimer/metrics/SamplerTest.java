package org.asyncprimer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a dashboard sample says, against the same kind of registry /metrics reads. */
class SamplerTest {

    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Sampler sampler = new Sampler(meters, new ThreadPoolProbe(-1));
    private final Timer lateness = Timer.builder("asyncprimer.stream.lateness")
            .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100))
            .register(meters);

    @Test
    void latenessPercentilesCoverOnlyTheLastInterval() {
        for (int i = 0; i < 100; i++) {
            lateness.record(50, TimeUnit.MILLISECONDS); // before the dashboard's first sample: never shown
        }
        Map<String, Object> first = sampler.sample();
        assertNull(late(first).get("p99"), "no interval before the first sample");

        for (int i = 0; i < 98; i++) {
            lateness.record(500, TimeUnit.MICROSECONDS);
        }
        lateness.record(5, TimeUnit.MILLISECONDS);
        lateness.record(5, TimeUnit.MILLISECONDS);
        Map<String, Object> second = sampler.sample();

        assertEquals(100.0, late(second).get("count"));
        double p50 = (Double) late(second).get("p50");
        double p99 = (Double) late(second).get("p99");
        assertTrue(p50 > 0 && p50 <= 1, "p50 within the first bucket, (0, 1] ms: " + p50);
        assertTrue(p99 > 1 && p99 <= 10, "p99 within (1, 10] ms, the 50 ms ones of before left out: " + p99);

        Map<String, Object> quiet = sampler.sample();
        assertEquals(0.0, late(quiet).get("count"));
        assertNull(late(quiet).get("p50"), "nothing recorded in the interval");
    }

    @Test
    void latenessPastTheLastBoundReportsThatBound() {
        sampler.sample();
        lateness.record(2, TimeUnit.SECONDS);
        assertEquals(100.0, late(sampler.sample()).get("p99"));
    }

    @Test
    void heldCountsEveryKindByItsTagAndRatesAreCountsPerSecond() {
        AtomicInteger streams = new AtomicInteger(7);
        meters.gauge("asyncprimer.responses.open", io.micrometer.core.instrument.Tags.of("kind", "stream"), streams);
        meters.gauge("asyncprimer.responses.open", io.micrometer.core.instrument.Tags.of("kind", "chatsse"),
                new AtomicInteger(2));
        Counter in = meters.counter("asyncprimer.websocket.messages", "direction", "in", "endpoint", "echo");
        sampler.sample();
        in.increment(50);

        Map<String, Object> sample = sampler.sample();

        assertEquals(Map.of("stream", 7, "chatsse", 2), sample.get("held"));
        double seconds = (Double) sample.get("seconds");
        double rate = (Double) ((Map<?, ?>) sample.get("perSecond")).get("websocketIn");
        assertEquals(50 / seconds, rate, 1e-6);
        assertEquals(0.0, ((Map<?, ?>) sample.get("perSecond")).get("websocketOut"));
        Map<?, ?> threads = (Map<?, ?>) sample.get("requestThreads");
        assertEquals("unknown", threads.get("source"), "no container here");
        assertEquals(20, threads.get("seed"));
        assertTrue(((Number) ((Map<?, ?>) sample.get("heap")).get("used")).longValue() > 0);
        assertEquals(Set.of("at", "seconds", "held", "lateness", "perSecond", "heap", "requestThreads"),
                sample.keySet());
    }

    private static Map<?, ?> late(Map<String, Object> sample) {
        return (Map<?, ?>) sample.get("lateness");
    }
}
