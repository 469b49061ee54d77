package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link NameChars} accepts exactly what the protocol's character classes (as regexes) accept. */
class NameCharsTest {
    /** Every mark of either alphabet, some neighbours of theirs, and characters outside ASCII. */
    private static final String PIECES = "aZz09_.:-#@=,*$/ \u00e9\u0130\u212a\ud83d\ude00\u0000~[`{";

    @Test
    void tableAndRegexAgreeOnRandomNames() {
        check(NameChars.EVENT, Pattern.compile("[A-Za-z0-9_.:-]{1,64}"), 64);
        check(NameChars.CHANNEL, Pattern.compile("[A-Za-z0-9_:.\\-#@=,]{1,255}"), 255);
    }

    private static void check(NameChars chars, Pattern regex, int max) {
        Random random = new Random(15);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            int length = random.nextInt(4) == 0 ? max - 2 + random.nextInt(4) : random.nextInt(6);
            StringBuilder b = new StringBuilder();
            boolean plain = random.nextBoolean(); // half of them from the alphabet only, so many are accepted
            for (int j = 0; j < length; j++) {
                b.append(plain ? "aZz09_.:-".charAt(random.nextInt(9)) : PIECES.charAt(random.nextInt(PIECES.length())));
            }
            String name = b.toString();
            boolean expected = regex.matcher(name).matches();
            assertThat(chars.matches(name, max)).as("'%s'", name).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        assertThat(accepted).isGreaterThan(1_000);
    }
}
