package io.herald.bench;

import java.util.OptionalDouble;

/**
 * Which publication rate the fan-out scenario tries next. Three phases:
 * <ol>
 *   <li>doubling from the start rate until a step fails (or the step budget or rate cap ends it);</li>
 *   <li>if the start rate itself failed, halving (at most {@code halvings} times) until one passes;</li>
 *   <li>bisecting between the highest passing and the lowest failing rate, at most {@code bisections}
 *       steps, so "highest passing" ends within a few percent of the limit instead of up to 2× under it.</li>
 * </ol>
 * Not thread-safe; one instance per search. The caller runs {@link #next()}'s rate, then reports
 * {@link #passed} or {@link #failed}.
 */
final class RateSearch {
    /** Bisection stops once the bracket is this narrow (failing ÷ passing), since noise between steps is wider. */
    static final double RESOLUTION = 1.05;

    private enum Phase { DOUBLING, HALVING, BISECTING, DONE }

    private final double start;
    private final int maxDoublings;
    private final int halvings;
    private final int bisections;
    private final double maxRate;
    private Phase phase = Phase.DOUBLING;
    private double current;
    private int doublings;
    private int halved;
    private int bisected;
    private double highestPassing = Double.NaN;
    private double lowestFailing = Double.NaN;
    private String lowestFailingReason;
    private String endReason = "rate cap";

    /**
     * @param start       first rate (publications/s), &gt; 0
     * @param maxDoublings steps of the doubling phase, the first one included
     * @param halvings    how often the start rate may be halved when it fails
     * @param bisections  steps between the highest passing and lowest failing rate
     * @param maxRate     no step above this rate (publications/s)
     */
    RateSearch(double start, int maxDoublings, int halvings, int bisections, double maxRate) {
        if (!(start > 0) || maxDoublings < 1 || halvings < 0 || bisections < 0) {
            throw new IllegalArgumentException("start > 0, maxDoublings >= 1, halvings >= 0, bisections >= 0 required");
        }
        this.start = start;
        this.maxDoublings = maxDoublings;
        this.halvings = halvings;
        this.bisections = bisections;
        this.maxRate = maxRate;
        this.current = start;
        if (start > maxRate) {
            phase = Phase.DONE;
        }
    }

    /** The rate to try next, or empty when the search is over. */
    OptionalDouble next() {
        return phase == Phase.DONE ? OptionalDouble.empty() : OptionalDouble.of(current);
    }

    /** The step at {@link #next()}'s rate passed. */
    void passed() {
        double rate = requireRunning();
        highestPassing = Double.isNaN(highestPassing) ? rate : Math.max(highestPassing, rate);
        switch (phase) {
            case DOUBLING -> {
                doublings++;
                if (doublings >= maxDoublings) {
                    endReason = "step limit";
                    phase = Phase.DONE;
                } else if (rate * 2 > maxRate) {
                    endReason = "rate cap";
                    phase = Phase.DONE;
                } else {
                    current = rate * 2;
                }
            }
            case HALVING, BISECTING -> bisectOrFinish();
            default -> throw new IllegalStateException();
        }
    }

    /** The step at {@link #next()}'s rate failed for {@code reason}. */
    void failed(String reason) {
        double rate = requireRunning();
        if (Double.isNaN(lowestFailing) || rate < lowestFailing) {
            lowestFailing = rate;
            lowestFailingReason = reason;
        }
        switch (phase) {
            case DOUBLING -> {
                doublings++;
                if (Double.isNaN(highestPassing)) {
                    phase = Phase.HALVING;
                    halveOrGiveUp();
                } else {
                    bisectOrFinish();
                }
            }
            case HALVING -> halveOrGiveUp();
            case BISECTING -> bisectOrFinish();
            default -> throw new IllegalStateException();
        }
    }

    private void halveOrGiveUp() {
        if (halved >= halvings) {
            phase = Phase.DONE;
            return;
        }
        halved++;
        current = start / Math.pow(2, halved);
    }

    private void bisectOrFinish() {
        if (phase != Phase.BISECTING) {
            phase = Phase.BISECTING;
        } else {
            bisected++;
        }
        if (bisected >= bisections || lowestFailing / highestPassing <= RESOLUTION) {
            phase = Phase.DONE;
            return;
        }
        current = (highestPassing + lowestFailing) / 2;
    }

    private double requireRunning() {
        if (phase == Phase.DONE) {
            throw new IllegalStateException("the search is over");
        }
        return current;
    }

    /** The highest rate that passed, NaN if none did. */
    double highestPassing() {
        return highestPassing;
    }

    /** The lowest rate that failed, NaN if none did. */
    double lowestFailing() {
        return lowestFailing;
    }

    /** Why the search stopped: the lowest failing step's reason, else "step limit" or "rate cap". */
    String stoppedBy() {
        return lowestFailingReason != null ? lowestFailingReason : endReason;
    }
}
