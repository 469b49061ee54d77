package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnitsTest {

    @Test
    void durations_are_parsed_in_every_unit_and_a_bare_number_is_seconds() {
        assertThat(Units.duration("250ms", "k")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.duration("300s", "k")).isEqualTo(Duration.ofSeconds(300));
        assertThat(Units.duration("5m", "k")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.duration("1h", "k")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.duration("2d", "k")).isEqualTo(Duration.ofDays(2));
        assertThat(Units.duration("42", "k")).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void sizes_use_decimal_KB_and_binary_KiB() {
        assertThat(Units.size("100", "k")).isEqualTo(100);
        assertThat(Units.size("100B", "k")).isEqualTo(100);
        assertThat(Units.size("64KB", "k")).isEqualTo(64_000);
        assertThat(Units.size("64KiB", "k")).isEqualTo(65_536);
        assertThat(Units.size("1MB", "k")).isEqualTo(1_000_000);
        assertThat(Units.size("1MiB", "k")).isEqualTo(1_048_576);
        assertThat(Units.size("64kib", "k")).isEqualTo(65_536);
    }

    @Test
    void overflowing_values_fail_instead_of_wrapping() {
        assertThatThrownBy(() -> Units.duration("999999999999999999d", "k")).isInstanceOf(ConfigException.class)
                .hasMessage("k: duration '999999999999999999d' is too large");
        assertThatThrownBy(() -> Units.size("999999999999999999MiB", "k")).isInstanceOf(ConfigException.class)
                .hasMessage("k: size '999999999999999999MiB' is too large");
    }

    @Test
    void formatting_uses_the_largest_exact_unit_and_reads_back_unchanged() {
        assertThat(Units.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Units.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Units.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(Units.format(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(Units.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Units.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Units.formatSize(65_536)).isEqualTo("64KiB");
        assertThat(Units.formatSize(2 * 1_048_576)).isEqualTo("2MiB");
        assertThat(Units.formatSize(64_000)).isEqualTo("64000");
        for (String d : new String[] {"1500ms", "90s", "5m", "3h", "2d"}) {
            assertThat(Units.format(Units.duration(d, "k"))).isEqualTo(d);
        }
    }
}
