package io.github.gambiarra.hub.internal.placement;

import java.time.Duration;

/** Durations as people write them, for log lines and messages. */
public final class Durations {
    private Durations() {
    }

    /** {@code 7 d}, {@code 2 h}, {@code 15 min}, {@code 30 s}, {@code 250 ms}. */
    public static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400 && s % 86_400 == 0) {
            return s / 86_400 + " d";
        }
        if (s >= 3_600 && s % 3_600 == 0) {
            return s / 3_600 + " h";
        }
        if (s >= 60 && s % 60 == 0) {
            return s / 60 + " min";
        }
        return s > 0 && d.getNano() == 0 ? s + " s" : d.toMillis() + " ms";
    }
}
