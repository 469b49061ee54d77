package io.herald.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The next-offset rule as a table: the reader's last offset and epoch, a publication, the verdict. */
class NextOffsetTest {
    @ParameterizedTest(name = "after {0}@{1}, {2}@{3} is {4}")
    @CsvSource({
        // last, epoch, offset, epoch, verdict
        "0, a, 1, a, NEXT",
        "5, a, 6, a, NEXT",
        "5, a, 5, a, DUPLICATE",
        "5, a, 1, a, DUPLICATE",
        "0, a, 0, a, DUPLICATE",
        "5, a, 7, a, GAP",
        "5, a, 1000, a, GAP",
        "5, a, 6, b, GAP",
        "5, a, 5, b, GAP",
        "5, a, 1, b, GAP",
        "0, a, 1, b, GAP",
    })
    void aPublicationIsNextDuplicateOrGapByItsEpochAndOffset(long last, String epoch, long offset, String pubEpoch,
                                                             NextOffset expected) {
        Publication p = new Publication(ChannelName.of("news"), "e", offset, pubEpoch, 0, null, new byte[0]);

        assertThat(NextOffset.of(last, epoch, p)).isEqualTo(expected);
    }
}
