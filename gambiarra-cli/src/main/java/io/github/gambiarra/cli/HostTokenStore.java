package io.github.gambiarra.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The host tokens of the rooms created from this machine ({@code ~/.gambiarra/host-tokens.json},
 * readable by its owner only), so that {@code gambiarra delete CODE} works without the token typed.
 */
final class HostTokenStore {
    private final Path file;

    HostTokenStore(Path file) {
        this.file = file;
    }

    static HostTokenStore standard() {
        return new HostTokenStore(GambiarraHome.dir().resolve("host-tokens.json"));
    }

    Path file() {
        return file;
    }

    private static String key(String hubUrl, String code) {
        return hubUrl + " " + code.toUpperCase(Locale.ROOT);
    }

    /** Keeps a room's host token. */
    synchronized void put(String hubUrl, String code, String token) throws IOException {
        Map<String, String> tokens = read();
        tokens.put(key(hubUrl, code), token);
        write(tokens);
    }

    /** The room's host token, or null. */
    synchronized String get(String hubUrl, String code) throws IOException {
        return read().get(key(hubUrl, code));
    }

    /** Forgets a room's token (the room is gone). */
    synchronized void remove(String hubUrl, String code) throws IOException {
        Map<String, String> tokens = read();
        if (tokens.remove(key(hubUrl, code)) != null) {
            write(tokens);
        }
    }

    private Map<String, String> read() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        return new TreeMap<>(GambiarraJson.mapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() { }));
    }

    private void write(Map<String, String> tokens) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, GambiarraJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tokens));
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user's profile directory is already private
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
