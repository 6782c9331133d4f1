package io.github.gambiarra.protocol;

import java.util.Locale;

/** How model names are compared everywhere: case-insensitively, and {@code llama3} is {@code llama3:latest}. */
public final class ModelNames {
    private ModelNames() {
    }

    /**
     * Whether {@code wanted} names the model {@code served}: exactly, or as Ollama's tagged form
     * ({@code llama3} ≡ {@code llama3:latest}), both ways.
     */
    public static boolean same(String served, String wanted) {
        if (served == null || wanted == null || wanted.isBlank()) {
            return false;
        }
        String a = served.trim().toLowerCase(Locale.ROOT);
        String b = wanted.trim().toLowerCase(Locale.ROOT);
        return a.equals(b) || withDefaultTag(a).equals(withDefaultTag(b));
    }

    private static String withDefaultTag(String model) {
        int slash = model.lastIndexOf('/');
        return model.indexOf(':', slash + 1) >= 0 ? model : model + ":latest";
    }
}
