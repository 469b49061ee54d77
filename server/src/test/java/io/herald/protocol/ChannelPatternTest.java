package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelPattern} against the rule of PROTOCOL.md "Channels" (whole name; {@code *} one or
 * more characters other than {@code :}; {@code **} one or more of any characters; everything else
 * literal), checked against a plain reference matcher on many generated pairs, and its cost on the
 * inputs that made the old backtracking regex run for seconds.
 */
class ChannelPatternTest {

    /**
     * The rule written as directly as possible: a run of stars is read left to right, two at a time
     * as {@code **}, a last odd one as {@code *}. Tries every split, remembering the answer for each
     * (pattern index, name index) so long generated names stay cheap.
     */
    static boolean reference(String pattern, String name) {
        return reference(pattern, 0, name, 0, new Boolean[pattern.length() + 1][name.length() + 1]);
    }

    private static boolean reference(String pattern, int i, String name, int j, Boolean[][] memo) {
        if (memo[i][j] == null) {
            memo[i][j] = referenceStep(pattern, i, name, j, memo);
        }
        return memo[i][j];
    }

    private static boolean referenceStep(String pattern, int i, String name, int j, Boolean[][] memo) {
        if (i == pattern.length()) {
            return j == name.length();
        }
        char c = pattern.charAt(i);
        if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
            for (int k = j + 1; k <= name.length(); k++) {
                if (reference(pattern, i + 2, name, k, memo)) {
                    return true;
                }
            }
            return false;
        }
        if (c == '*') {
            for (int k = j + 1; k <= name.length() && name.charAt(k - 1) != ':'; k++) {
                if (reference(pattern, i + 1, name, k, memo)) {
                    return true;
                }
            }
            return false;
        }
        return j < name.length() && name.charAt(j) == c && reference(pattern, i + 1, name, j + 1, memo);
    }

    private static void assertAgreesWithReference(String pattern, String name) {
        assertThat(ChannelPattern.of(pattern).matches(name))
                .as("pattern '%s' against '%s'", pattern, name)
                .isEqualTo(reference(pattern, name));
    }

    @Test
    void starIsOneOrMoreCharactersOtherThanAColon() {
        ChannelPattern p = ChannelPattern.of("match:*");
        assertThat(p.matches("match:1")).isTrue();
        assertThat(p.matches("match:a.b-c")).isTrue();
        assertThat(p.matches("match:")).isFalse();
        assertThat(p.matches("match:1:private")).isFalse();
        assertThat(p.matches("xmatch:1")).isFalse();
        assertThat(ChannelPattern.of("*").matches(":")).isFalse();
        assertThat(ChannelPattern.of("*").matches("a")).isTrue();
    }

    @Test
    void doubleStarIsOneOrMoreOfAnyCharacters() {
        ChannelPattern p = ChannelPattern.of("match:**");
        assertThat(p.matches("match:1:private")).isTrue();
        assertThat(p.matches("match::")).isTrue();
        assertThat(p.matches("match:")).isFalse();
        assertThat(ChannelPattern.of("**").matches(":")).isTrue();
        assertThat(ChannelPattern.of("**").matches("")).isFalse();
    }

    @Test
    void aRunOfStarsIsReadTwoAtATimeFromTheLeft() {
        // *** is ** then *: at least two characters, the last part without a colon
        ChannelPattern three = ChannelPattern.of("***");
        assertThat(three.matches("a")).isFalse();
        assertThat(three.matches("ab")).isTrue();
        assertThat(three.matches(":b")).isTrue();
        assertThat(three.matches("a:")).isFalse();
        assertThat(three.matches("a:b:c")).isTrue();
        // **** is ** then **: at least two characters of any kind
        assertThat(ChannelPattern.of("****").matches("::")).isTrue();
        assertThat(ChannelPattern.of("****").matches(":")).isFalse();
    }

    @Test
    void everyOtherCharacterIsLiteralAndTheWholeNameMustMatch() {
        ChannelPattern dot = ChannelPattern.of("a.*");
        assertThat(dot.matches("a.b")).isTrue();
        assertThat(dot.matches("axb")).isFalse();
        assertThat(ChannelPattern.of("news").matches("news")).isTrue();
        assertThat(ChannelPattern.of("news").matches("news2")).isFalse();
        assertThat(ChannelPattern.of("*-1").matches("x-1-1")).isTrue();
        assertThat(ChannelPattern.of("*-1").matches("x-1-")).isFalse();
        assertThat(ChannelPattern.of("orders#*").matches("orders#42,57")).isTrue();
        assertThat(ChannelPattern.of("a*").matches("a\u00e9")).isTrue();
        assertThat(ChannelPattern.of("a*").matches("a")).isFalse();
    }

    @Test
    void invalidPatternsAreRefusedWithAReason() {
        assertThatThrownBy(() -> ChannelPattern.of("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ChannelPattern.of("a".repeat(1025))).hasMessageContaining("1024");
        assertThatThrownBy(() -> ChannelPattern.of("a/b")).hasMessageContaining("may only contain");
    }

    @Test
    void generatedPatternsAndNamesAgreeWithTheReference() {
        Random random = new Random(20260101L);
        String patternChars = "ab:.*";
        String nameChars = "ab:.";
        int checked = 0;
        // 2,000 patterns (well under the shared cache's bound), 30 names each
        for (int round = 0; round < 2_000; round++) {
            String pattern = randomString(random, patternChars, 1 + random.nextInt(8));
            for (int name = 0; name < 10; name++) {
                // random names, and names made from the pattern so that matches are common
                assertAgreesWithReference(pattern, randomString(random, nameChars, random.nextInt(10)));
                assertAgreesWithReference(pattern, instantiate(random, pattern, nameChars));
                assertAgreesWithReference(pattern, mutate(random, instantiate(random, pattern, nameChars), nameChars));
                checked += 3;
            }
        }
        assertThat(checked).isEqualTo(60_000);
    }

    @Test
    void generatedPairsAgreeWithTheReferenceAcrossWordBoundaries() {
        // names longer than 64 and 128 characters, where the matcher's bit sets span several words
        Random random = new Random(7L);
        for (int round = 0; round < 2_000; round++) {
            String pattern = randomString(random, "ab:*", 1 + random.nextInt(6)) + "b" + randomString(random, "a:*", random.nextInt(4));
            String name = instantiate(random, pattern, "aab:", 50);
            assertAgreesWithReference(pattern, name);
            assertAgreesWithReference(pattern, mutate(random, name, "ab:"));
        }
    }

    @Test
    void typicalPatternsAgreeWithTheReferenceOnEdgeNames() {
        List<String> names = List.of("match:42", "match:1:private", "chat:room.1", "orders#42", "a", ":", "::",
                "a:b:c", "x".repeat(255), ":".repeat(255));
        List<String> patterns = List.of("*", "**", "***", "****", "*:*", "**:*", "*:**", "match:*", "match:**",
                "*.*", "**.**", "orders#*", ":*", "*:", "**:", ":**", "::", "a*b*c", "**a**");
        for (String pattern : patterns) {
            for (String name : names) {
                assertAgreesWithReference(pattern, name);
            }
        }
    }

    @Test
    void worstCaseNamesAgainstWorstCasePatternsTakeMicroseconds() {
        List<String[]> cases = worstCases();
        // generous: the old regex needed seconds for ONE of these; 10,000 each must fit in a few seconds
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (String[] c : cases) {
                ChannelPattern p = ChannelPattern.of(c[0]);
                for (int i = 0; i < 10_000; i++) {
                    assertThat(p.matches(c[1])).as("pattern %s", c[0]).isFalse();
                }
            }
        });
    }

    /** Patterns and 255-character names that make a backtracking matcher try every way to split the name. */
    static List<String[]> worstCases() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"*.*.*.*", ".".repeat(251) + ":"});
        cases.add(new String[] {"*.*.*.*.*.*.*.*.*.*.*.*", ".".repeat(254) + ":"});
        cases.add(new String[] {"**a".repeat(40) + "b", "a".repeat(255)});
        cases.add(new String[] {"*a".repeat(100) + "b", "a".repeat(255)});
        cases.add(new String[] {"*".repeat(301), "a".repeat(254) + ":"});
        cases.add(new String[] {"*".repeat(301), "a".repeat(150)});
        cases.add(new String[] {"**:".repeat(60) + "*", ":".repeat(255)});
        return cases;
    }

    @Test
    void worstCasesStillMatchWhenTheNameFits() {
        assertThat(ChannelPattern.of("*.*.*.*").matches(".".repeat(251) + "a")).isTrue();
        assertThat(ChannelPattern.of("**a".repeat(40) + "b").matches("a".repeat(254) + "b")).isTrue();
        assertThat(ChannelPattern.of("*".repeat(301)).matches("a".repeat(255))).isTrue();
    }

    @Test
    void equalSourcesShareOneCompiledPattern() {
        assertThat(ChannelPattern.of("shared:*")).isSameAs(ChannelPattern.of("shared:*"));
        assertThat(ChannelPattern.of("shared:*")).isEqualTo(ChannelPattern.of("shared:*"));
        assertThat(ChannelPattern.sharedList(List.of(ChannelPattern.of("l:*"))))
                .isSameAs(ChannelPattern.sharedList(List.of(ChannelPattern.of("l:*"))));
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static String instantiate(Random random, String pattern, String alphabet) {
        return instantiate(random, pattern, alphabet, 3);
    }

    /** A name made from {@code pattern}: each star replaced by 1..maxRun random characters. */
    private static String instantiate(Random random, String pattern, String alphabet, int maxRun) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                b.append(randomString(random, alphabet, 1 + random.nextInt(maxRun)));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String mutate(Random random, String name, String alphabet) {
        if (name.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name);
        int at = random.nextInt(name.length());
        switch (random.nextInt(3)) {
            case 0 -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            case 1 -> b.deleteCharAt(at);
            default -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
