package org.asyncprimer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One dashboard's view of the meters, once a second: what is open by kind, and what happened since the previous
 * sample (lateness p50/p99 from the histogram's bucket counts in the interval, messages per second), plus the heap
 * and the request threads. Everything comes from the same registry {@code /metrics} shows, found by name, so a
 * kind registered later (the chat's) shows up with no change here.
 *
 * <p>Not thread-safe: one feed's timer calls it, one run after the other.
 */
final class Sampler {

    /** The seed's synchronous server: 20 request threads, drawn as a line next to the container's pool. */
    static final int SEED_THREADS = 20;

    private final MeterRegistry meters;
    private final ThreadPoolProbe threads;

    private long lastNanos = Long.MIN_VALUE;
    private Histogram lastLateness = Histogram.EMPTY;
    private double lastWsIn;
    private double lastWsOut;
    private double lastDelivered;

    Sampler(MeterRegistry meters, ThreadPoolProbe threads) {
        this.meters = meters;
        this.threads = threads;
    }

    /** The next sample; rates and lateness cover the time since the previous one (none in the first). */
    Map<String, Object> sample() {
        long now = System.nanoTime();
        boolean first = lastNanos == Long.MIN_VALUE;
        double seconds = first ? 0 : (now - lastNanos) / 1e9;
        lastNanos = now;

        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", System.currentTimeMillis());
        sample.put("seconds", first ? null : seconds);
        sample.put("held", held());

        Histogram lateness = lateness();
        Histogram interval = lateness.minus(lastLateness);
        lastLateness = lateness;
        Map<String, Object> late = new LinkedHashMap<>();
        late.put("count", first ? 0 : interval.total());
        late.put("p50", first ? null : interval.percentileMs(0.50));
        late.put("p99", first ? null : interval.percentileMs(0.99));
        sample.put("lateness", late);

        double wsIn = sum("asyncprimer.websocket.messages", "direction", "in");
        double wsOut = sum("asyncprimer.websocket.messages", "direction", "out");
        double delivered = sum("asyncprimer.chat.delivered", null, null);
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("websocketIn", first ? null : (wsIn - lastWsIn) / seconds);
        rates.put("websocketOut", first ? null : (wsOut - lastWsOut) / seconds);
        rates.put("chatDelivered", first ? null : (delivered - lastDelivered) / seconds);
        sample.put("perSecond", rates);
        lastWsIn = wsIn;
        lastWsOut = wsOut;
        lastDelivered = delivered;

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("used", heap.getUsed());
        memory.put("max", heap.getMax() < 0 ? null : heap.getMax());
        sample.put("heap", memory);

        ThreadPoolProbe.Threads pool = threads.read();
        Map<String, Object> requestThreads = new LinkedHashMap<>();
        requestThreads.put("busy", pool.busy());
        requestThreads.put("max", pool.max());
        requestThreads.put("source", pool.source());
        requestThreads.put("seed", SEED_THREADS);
        sample.put("requestThreads", requestThreads);
        return sample;
    }

    private Map<String, Integer> held() {
        Map<String, Integer> held = new TreeMap<>();
        for (Gauge gauge : meters.find("asyncprimer.responses.open").gauges()) {
            held.merge(gauge.getId().getTag("kind"), (int) gauge.value(), Integer::sum);
        }
        return held;
    }

    private double sum(String name, String tag, String value) {
        var search = meters.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    private Histogram lateness() {
        Histogram all = Histogram.EMPTY;
        for (Timer timer : meters.find("asyncprimer.stream.lateness").timers()) {
            all = all.plus(Histogram.of(timer.takeSnapshot()));
        }
        return all;
    }

    /**
     * Cumulative counts per bucket bound (ms) and the total, as a Prometheus histogram has them. Subtracting two
     * of them gives the interval's; percentiles are interpolated within a bucket, as PromQL's histogram_quantile
     * does. Values past the last bound report that bound.
     */
    record Histogram(TreeMap<Double, Double> cumulative, double total) {

        static final Histogram EMPTY = new Histogram(new TreeMap<>(), 0);

        static Histogram of(HistogramSnapshot snapshot) {
            TreeMap<Double, Double> cumulative = new TreeMap<>();
            for (CountAtBucket bucket : snapshot.histogramCounts()) {
                cumulative.put(bucket.bucket(TimeUnit.MILLISECONDS), bucket.count());
            }
            return new Histogram(cumulative, snapshot.count());
        }

        Histogram plus(Histogram other) {
            TreeMap<Double, Double> sum = new TreeMap<>(cumulative);
            other.cumulative.forEach((bound, count) -> sum.merge(bound, count, Double::sum));
            return new Histogram(sum, total + other.total);
        }

        /** This minus an earlier one: what was recorded in between (a bound the earlier lacked counts in full). */
        Histogram minus(Histogram earlier) {
            TreeMap<Double, Double> difference = new TreeMap<>();
            cumulative.forEach((bound, count) ->
                    difference.put(bound, Math.max(0, count - earlier.cumulative.getOrDefault(bound, 0.0))));
            return new Histogram(difference, Math.max(0, total - earlier.total));
        }

        /** The q-quantile in ms, or null when nothing was recorded. */
        Double percentileMs(double q) {
            if (total <= 0) {
                return null;
            }
            double rank = q * total;
            double lowerBound = 0;
            double below = 0;
            for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
                double upTo = bucket.getValue();
                if (upTo >= rank && upTo > below) {
                    return lowerBound + (bucket.getKey() - lowerBound) * (rank - below) / (upTo - below);
                }
                lowerBound = bucket.getKey();
                below = upTo;
            }
            return cumulative.isEmpty() ? null : cumulative.lastKey(); // past the last bound: at least that late
        }
    }
}
