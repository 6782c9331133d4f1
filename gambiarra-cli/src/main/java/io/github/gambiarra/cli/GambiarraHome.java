package io.github.gambiarra.cli;

import java.nio.file.Path;

/**
 * Where the CLI keeps what it remembers: {@code ~/.gambiarra} (rooms of a hub, host tokens of the
 * rooms created here, the demo model), or the directory the {@code gambiarra.home} system property
 * names.
 */
final class GambiarraHome {
    /** The system property that moves it (tests point it into their build directory). */
    static final String PROPERTY = "gambiarra.home";

    private GambiarraHome() {
    }

    static Path dir() {
        String set = System.getProperty(PROPERTY);
        return set != null && !set.isBlank() ? Path.of(set) : Path.of(System.getProperty("user.home"), ".gambiarra");
    }
}
