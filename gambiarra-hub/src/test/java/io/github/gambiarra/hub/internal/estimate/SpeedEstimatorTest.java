package io.github.gambiarra.hub.internal.estimate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** What the hub learns of a participant's speed from the answers it relays. */
class SpeedEstimatorTest {

    /** A streamed answer: {@code ttft} for the prompt, then {@code tokens} at {@code perToken} ms each. */
    private static void answer(SpeedEstimator s, long promptBytes, double ttft, long tokens, double perToken,
                               double concurrency) {
        s.streamed(promptBytes, -1, ttft, concurrency, tokens, (tokens - 1) * perToken, concurrency, 0);
    }

    /** A participant's first answer, a cold start (a model loading): not learnt from. */
    private static SpeedEstimator warm() {
        SpeedEstimator s = new SpeedEstimator();
        s.streamed(1000, -1, 9_000, 1, 41, 8_000, 1, 0);
        return s;
    }

    @Test
    void knowsNothingBeforeItsFirstAnswerAndLearnsNothingFromItsColdStart() {
        SpeedEstimator s = new SpeedEstimator();
        assertThat(s.measured()).isFalse();
        assertThat(s.msPerToken(1)).isNaN();
        assertThat(s.ttftMs(1000, 1)).isNaN();
        assertThat(s.figures()).isEqualTo(new SpeedEstimator.Figures(null, null, null));
        s.streamed(1000, -1, 9_000, 1, 41, 8_000, 1, 7);
        assertThat(s.measured()).as("a first answer of 9 s to load a model").isFalse();
        assertThat(s.msPerToken(1)).isNaN();
        assertThat(s.lastAnswerAt()).isEqualTo(7);
        answer(s, 1000, 40, 41, 5, 1);
        assertThat(s.measured()).isTrue();
        assertThat(s.msPerToken(1)).isCloseTo(5, within(0.01));
        assertThat(s.ttftMs(1000, 1)).isCloseTo(40, within(0.01));
    }

    @Test
    void followsAMachineThatSlowsDownWithinAboutTenAnswers() {
        SpeedEstimator s = warm();
        for (int i = 0; i < 30; i++) {
            answer(s, 1000, 40, 41, 5, 1);
        }
        assertThat(s.msPerToken(1)).isCloseTo(5, within(0.01));
        for (int i = 0; i < 10; i++) {
            answer(s, 1000, 400, 41, 50, 1); // someone started a game on it
        }
        assertThat(s.msPerToken(1)).as("ten answers later, most of the way to 50").isGreaterThan(45);
        assertThat(s.ttftMs(1000, 1)).isGreaterThan(350);
        assertThat(s.answers()).isEqualTo(41);
    }

    @Test
    void learnsTheSpeedAtEachConcurrencyAndSharesItEvenlyWhereItHasNotSeenOne() {
        SpeedEstimator s = warm();
        answer(s, 1000, 40, 41, 5, 1);
        answer(s, 1000, 160, 41, 18, 4); // a server that batches: 4 at once cost less than 4 alone
        assertThat(s.msPerToken(1)).isCloseTo(5, within(0.01));
        assertThat(s.msPerToken(4)).isCloseTo(18, within(0.01));
        assertThat(s.msPerToken(2)).as("from 1, shared evenly").isCloseTo(10, within(0.01));
        assertThat(s.msPerToken(3)).as("from 4, the nearer").isCloseTo(13.5, within(0.01));
        assertThat(s.msPerToken(16)).as("past the most learnt apart, shared evenly").isCloseTo(
                s.msPerToken(8) * 2, within(0.01));
        assertThat(s.ttftMs(1000, 4)).as("the first token waits for its share as the others do")
                .isCloseTo(s.ttftMs(1000, 1) * 18 / 5, within(1.0));
    }

    @Test
    void fitsTheTimeToFirstTokenToThePromptsSize() {
        SpeedEstimator s = warm();
        for (int i = 0; i < 12; i++) {
            long bytes = 1000 + (i % 3) * 8000L; // 1 kB, 9 kB, 17 kB prompts
            s.streamed(bytes, bytes / 4, 50 + 0.1 * bytes, 1, 21, 100, 1, 0);
        }
        assertThat(s.ttftMs(5000, 1)).isCloseTo(550, within(5.0));
        assertThat(s.ttftMs(40_000, 1)).isCloseTo(4050, within(40.0));
        SpeedEstimator.Figures f = s.figures();
        assertThat(f.ttftMs()).isCloseTo(50, within(1.0));
        // 0.1 ms a byte, 4 bytes a token: 2,500 prompt tokens a second.
        assertThat(f.prefillTokensPerSecond()).isCloseTo(2500, within(25.0));
        assertThat(f.outputTokensPerSecond()).isCloseTo(200, within(1.0));
    }

    @Test
    void promptsOfOneSizeGiveAFlatFitNotANoisySlope() {
        SpeedEstimator s = warm();
        double[] noisy = {90, 110, 95, 105, 100};
        for (double ttft : noisy) {
            s.streamed(2000, -1, ttft, 1, 11, 50, 1, 0);
        }
        assertThat(s.ttftMs(50_000, 1)).as("a prompt 25 times larger is not extrapolated from noise")
                .isCloseTo(100, within(10.0));
        assertThat(s.figures().prefillTokensPerSecond()).isNull();
    }

    @Test
    void aWholeAnswerCountsWhatThePromptDidNotTakeAsGenerating() {
        SpeedEstimator s = warm();
        s.whole(1000, -1, 1000, 100, 1, 5);
        assertThat(s.msPerToken(1)).as("nothing known of the prompt: all of it generating").isCloseTo(10, within(0.01));
        SpeedEstimator t = warm();
        answer(t, 1000, 200, 11, 10, 1);
        t.whole(1000, -1, 1200, 100, 1, 5);
        assertThat(t.msPerToken(1)).as("its 200 ms prompt taken off").isCloseTo(10, within(0.01));
        assertThat(t.lastAnswerAt()).isEqualTo(5);
    }

    @Test
    void decayingMeanStartsAsAPlainMeanAndThenForgets() {
        DecayingMean m = new DecayingMean(0.2);
        m.add(10);
        m.add(20);
        assertThat(m.mean()).as("two values: their mean").isCloseTo(15, within(1e-9));
        m.add(Double.NaN);
        assertThat(m.count()).isEqualTo(2);
        for (int i = 0; i < 40; i++) {
            m.add(100);
        }
        assertThat(m.mean()).isCloseTo(100, within(0.1));
    }

    @Test
    void inFlightWorkSaysWhenItsFirstSlotFrees() {
        InFlightWork work = new InFlightWork();
        assertThat(work.firstFreeInMillis(0)).isZero();
        InFlightWork.Work a = work.started(0, 1_000);
        work.started(0, 3_000);
        assertThat(work.size()).isEqualTo(2);
        assertThat(work.firstFreeInMillis(400)).isEqualTo(600);
        assertThat(work.firstFreeInMillis(2_000)).as("overran: a fifth of what it took so far").isEqualTo(400);
        work.ended(a);
        assertThat(work.firstFreeInMillis(2_000)).isEqualTo(1_000);
        work.started(2_000, -1);
        assertThat(work.firstFreeInMillis(2_500)).as("no expectation: as long as it has taken").isEqualTo(500);
    }

    @Test
    void answerLengthsAreTheRecentMeanBoundedByMaxTokens() {
        AnswerLengths lengths = new AnswerLengths();
        assertThat(lengths.expected("m", 0)).isEqualTo(AnswerLengths.DEFAULT_TOKENS);
        assertThat(lengths.expected("m", 64)).isEqualTo(64);
        for (int i = 0; i < 10; i++) {
            lengths.answered("M", 40);
        }
        assertThat(lengths.expected("m", 0)).as("models compared as names are").isEqualTo(40);
        assertThat(lengths.expected("m", 16)).isEqualTo(16);
        assertThat(lengths.expected("other", 0)).isEqualTo(AnswerLengths.DEFAULT_TOKENS);
    }
}
