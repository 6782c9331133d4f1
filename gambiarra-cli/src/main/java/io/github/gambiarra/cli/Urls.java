package io.github.gambiarra.cli;

import java.util.Locale;

/** URLs as people type them: {@code localhost:3000} means {@code http://localhost:3000}. */
final class Urls {
    private Urls() {
    }

    /** {@code url} with {@code http://} in front when it names no scheme, and without trailing slashes. */
    static String withScheme(String url) {
        String u = url.strip().replaceAll("/+$", "");
        String lower = u.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.contains("://")) {
            return u;
        }
        return "http://" + u;
    }
}
