package io.github.gambiarra.llama;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts java-llama.cpp's native library for this platform in a per-version folder
 * ({@code ~/.gambiarra/native/llama-4.2.0/Linux/x86_64}) and points the library's loader at it.
 *
 * <p>By default the loader copies the library over one shared temporary file on every start, so two
 * processes starting at once (a demo and a {@code join --gguf}) can load a half-written copy. Here the
 * file is written once, to a temporary name, and moved into place atomically.
 */
final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    static final String LIB_PATH_PROPERTY = "de.kherud.llama.lib.path";
    private static volatile boolean prepared;

    private NativeLibrary() {
    }

    static synchronized void prepare() {
        if (prepared || System.getProperty(LIB_PATH_PROPERTY) != null) {
            return;
        }
        prepared = true;
        String folder = platformFolder();
        String file = System.mapLibraryName("jllama");
        String resource = "/de/kherud/llama/" + folder + "/" + file;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return; // an unusual platform: the loader searches by itself
            }
            Path dir = baseDir().resolve("llama-" + version()).resolve(folder);
            Path target = dir.resolve(file);
            if (!Files.isRegularFile(target)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, file, ".part");
                try {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            System.setProperty(LIB_PATH_PROPERTY, dir.toString());
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not place the native library; the loader extracts it itself", e);
        }
    }

    private static Path baseDir() {
        Path home = Path.of(System.getProperty("user.home", "."), ".gambiarra", "native");
        try {
            Files.createDirectories(home);
            if (Files.isWritable(home)) {
                return home;
            }
        } catch (IOException e) {
            // fall through to the temporary directory
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "gambiarra-native-" + System.getProperty("user.name", "user"));
    }

    private static String version() throws IOException {
        try (InputStream in = NativeLibrary.class.getResourceAsStream("/META-INF/maven/de.kherud/llama/pom.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        }
    }

    /** The loader's folder naming: {@code Linux/x86_64}, {@code Mac/aarch64}, {@code Windows/x86_64}. */
    static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String name = os.contains("win") ? "Windows" : os.contains("mac") || os.contains("darwin") ? "Mac"
                : os.contains("linux") ? "Linux" : System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String a = switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            default -> arch;
        };
        return name + "/" + a;
    }
}
