package io.github.gambiarra.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the person started this CLI, so that every command it prints can be pasted as it is:
 * {@code ./gambiarra} when they typed that, {@code gambiarra} when it is on their PATH, the
 * {@code java -jar} line when they ran the jar.
 */
public final class Launcher {
    /** Set by the {@code gambiarra} script to the command as the person typed it. */
    static final String ENV = "GAMBIARRA_LAUNCHER";
    /** The same, as a system property (tests, and launchers that cannot set the environment). */
    static final String PROPERTY = "gambiarra.launcher";

    private Launcher() {
    }

    /** The command that runs this CLI, e.g. {@code ./gambiarra}; {@code gambiarra} when it cannot tell. */
    public static String command() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.strip();
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        Path jar = ownJar();
        if (jar != null) {
            Path shown = jar;
            Path here = Path.of("").toAbsolutePath();
            if (jar.startsWith(here)) {
                shown = here.relativize(jar);
            }
            String path = shown.toString();
            return "java -jar " + (path.contains(" ") ? "'" + path + "'" : path);
        }
        return "gambiarra";
    }

    /** The jar this CLI runs from, or null (it runs from classes, as in tests). */
    private static Path ownJar() {
        try {
            var source = Launcher.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            Path path = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(path) && path.toString().endsWith(".jar") ? path : null;
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
