package org.asyncprimer.bench;

import java.util.Arrays;

/** Percentiles of a set of millisecond figures. */
record Stats(int count, double p50, double p99, double max) {

    static Stats of(double[] values) {
        if (values.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Stats(sorted.length, at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1]);
    }

    private static double at(double[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
    }

    /** "p50 / p99 / max" in whole ms. */
    String cell() {
        return count == 0 ? "–" : String.format("%.0f / %.0f / %.0f", p50, p99, max);
    }
}
