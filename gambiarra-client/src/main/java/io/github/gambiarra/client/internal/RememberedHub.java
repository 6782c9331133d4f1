package io.github.gambiarra.client.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The hub found last time on this machine ({@code ~/.gambiarra/last-hub}, or under the directory
 * the {@code gambiarra.home} system property names), so that the next command checks it with one
 * quick call instead of browsing the network again. Not public API.
 */
public final class RememberedHub {
    private final Path file;

    public RememberedHub(Path file) {
        this.file = file;
    }

    /** The memory every command shares. */
    public static RememberedHub standard() {
        String home = System.getProperty("gambiarra.home");
        Path dir = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".gambiarra");
        return new RememberedHub(dir.resolve("last-hub"));
    }

    /** The hub remembered, or null. */
    public String get() {
        try {
            String url = Files.readString(file, StandardCharsets.UTF_8).strip();
            return url.startsWith("http://") || url.startsWith("https://") ? url : null;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** Remembers {@code url}; a failure to write only means the next command browses again. */
    public void put(String url) {
        if (url.equals(get())) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, url + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SecurityException e) {
            // nothing is lost but time
        }
    }
}
