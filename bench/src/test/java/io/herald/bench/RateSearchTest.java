package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;

class RateSearchTest {
    /** Runs a search against a system that passes exactly the rates {@code passes} accepts; returns the rates tried. */
    private static List<Double> drive(RateSearch s, DoublePredicate passes) {
        List<Double> tried = new ArrayList<>();
        while (s.next().isPresent()) {
            double rate = s.next().getAsDouble();
            tried.add(rate);
            if (passes.test(rate)) {
                s.passed();
            } else {
                s.failed("p99 too high at " + rate);
            }
        }
        return tried;
    }

    @Test
    void doublesUntilTheFirstFailureThenBisectsTheBracket() {
        RateSearch s = new RateSearch(100, 14, 4, 3, 1e9);
        List<Double> tried = drive(s, r -> r <= 700);
        assertThat(tried).containsExactly(100.0, 200.0, 400.0, 800.0, 600.0, 700.0, 750.0);
        assertThat(s.highestPassing()).isEqualTo(700.0);
        assertThat(s.lowestFailing()).isEqualTo(750.0);
        assertThat(s.stoppedBy()).isEqualTo("p99 too high at 750.0");
    }

    @Test
    void bisectionEndsTheSearchWithinTheResolutionOfTheLimitWhenGivenEnoughSteps() {
        RateSearch s = new RateSearch(1000, 14, 4, 20, 1e9);
        drive(s, r -> r < 5_300);
        assertThat(s.lowestFailing() / s.highestPassing()).isLessThanOrEqualTo(RateSearch.RESOLUTION);
        assertThat(s.highestPassing()).isLessThan(5_300).isGreaterThan(5_300 / RateSearch.RESOLUTION);
    }

    @Test
    void zeroBisectionStepsKeepsThePlainDoublingSearch() {
        RateSearch s = new RateSearch(100, 14, 4, 0, 1e9);
        assertThat(drive(s, r -> r <= 700)).containsExactly(100.0, 200.0, 400.0, 800.0);
        assertThat(s.highestPassing()).isEqualTo(400.0);
    }

    @Test
    void aFailingStartRateIsHalvedUntilOnePassesAndThenBisectedUpwards() {
        RateSearch s = new RateSearch(800, 14, 4, 2, 1e9);
        List<Double> tried = drive(s, r -> r <= 300);
        assertThat(tried).containsExactly(800.0, 400.0, 200.0, 300.0, 350.0);
        assertThat(s.highestPassing()).isEqualTo(300.0);
        assertThat(s.lowestFailing()).isEqualTo(350.0);
    }

    @Test
    void aSystemThatFailsEveryRateEndsAfterTheAllowedHalvingsWithNoPassingRate() {
        RateSearch s = new RateSearch(160, 14, 4, 3, 1e9);
        assertThat(drive(s, r -> false)).containsExactly(160.0, 80.0, 40.0, 20.0, 10.0);
        assertThat(s.highestPassing()).isNaN();
        assertThat(s.stoppedBy()).isEqualTo("p99 too high at 10.0");
    }

    @Test
    void theStepLimitAndTheRateCapEndADoublingSearchThatNeverFails() {
        RateSearch limited = new RateSearch(1, 3, 4, 3, 1e9);
        assertThat(drive(limited, r -> true)).containsExactly(1.0, 2.0, 4.0);
        assertThat(limited.stoppedBy()).isEqualTo("step limit");
        RateSearch capped = new RateSearch(1, 14, 4, 3, 5);
        assertThat(drive(capped, r -> true)).containsExactly(1.0, 2.0, 4.0);
        assertThat(capped.stoppedBy()).isEqualTo("rate cap");
    }

    @Test
    void reportingAResultAfterTheSearchEndedIsRejected() {
        RateSearch s = new RateSearch(1, 1, 0, 0, 1e9);
        s.passed();
        assertThat(s.next()).isEmpty();
        assertThatThrownBy(s::passed).isInstanceOf(IllegalStateException.class);
    }
}
