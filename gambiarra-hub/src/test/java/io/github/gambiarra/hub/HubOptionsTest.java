package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Options are frozen when a hub starts, as Vert.x freezes a server's options. */
class HubOptionsTest {

    @Test
    void theCopyConstructorCopiesEveryField() throws Exception {
        HubOptions original = new HubOptions();
        int n = 0;
        for (Field f : HubOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            f.set(original, unusual(f.getType(), ++n));
        }
        HubOptions copy = new HubOptions(original);
        for (Field f : HubOptions.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                assertThat(f.get(copy)).as(f.getName()).isEqualTo(f.get(original));
            }
        }
    }

    @Test
    void changingTheCallersOptionsAfterStartChangesNothingInTheHub() throws Exception {
        HubOptions options = new HubOptions().host("127.0.0.1").port(0).maxBodyBytes(64 * 1024);
        try (GambiarraHub hub = GambiarraHub.start(options)) {
            options.maxBodyBytes(1024).offlineTimeout(Duration.ofMillis(1));
            HubClient client = new HubClient(hub.url());
            String name = "x".repeat(150);
            // 2 KiB: over the changed limit, under the one the hub started with.
            String body = "{\"name\":\"" + name + "\",\"pad\":\"" + "y".repeat(2048) + "\"}";
            assertThat(client.post("/rooms", body).status()).isEqualTo(201);
            assertThat(hub.options().maxBodyBytes()).isEqualTo(64 * 1024);
            hub.options().maxBodyBytes(2048);
            assertThat(hub.options().maxBodyBytes()).isEqualTo(64 * 1024);
        }
    }

    private static Object unusual(Class<?> type, int n) {
        if (type == String.class) {
            return "value-" + n;
        } else if (type == int.class) {
            return 1000 + n;
        } else if (type == long.class) {
            return 100_000L + n;
        } else if (type == boolean.class) {
            return true;
        } else if (type == Duration.class) {
            return Duration.ofMillis(777 + n);
        } else if (type == Path.class) {
            return Path.of("/tmp/unusual-" + n);
        } else if (type == java.util.Set.class) {
            return java.util.Set.of("192.0.2." + n);
        } else if (type == Clock.class) {
            return Clock.fixed(Instant.ofEpochSecond(n), ZoneOffset.UTC);
        }
        throw new AssertionError("add a value for fields of type " + type + " to this test");
    }
}
