package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.hub.config.HubOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Options are immutable and in groups, each default named once. */
class HubOptionsTest {
    private static final List<Class<? extends Record>> GROUPS = List.of(HubOptions.Listen.class,
            HubOptions.Timing.class, HubOptions.Limits.class, HubOptions.Routing.class, HubOptions.Tunnel.class,
            HubOptions.Access.class, HubOptions.Storage.class);

    @Test
    void everyValueOfEveryGroupHasAMethodThatChangesItInACopyAndNothingElse() throws Exception {
        for (Class<? extends Record> group : GROUPS) {
            Record defaults = (Record) group.getField("DEFAULTS").get(null);
            for (RecordComponent changed : group.getRecordComponents()) {
                Method with = wither(group, changed);
                Object value = unusual(changed.getType(), changed.getAccessor().invoke(defaults));
                Record copy = (Record) with.invoke(defaults, value);
                assertThat(copy).as(group.getSimpleName() + "." + changed.getName()).isNotSameAs(defaults);
                for (RecordComponent c : group.getRecordComponents()) {
                    Object expected = c.getName().equals(changed.getName()) ? value : c.getAccessor().invoke(defaults);
                    assertThat(c.getAccessor().invoke(copy)).as(group.getSimpleName() + "." + changed.getName()
                            + " then " + c.getName()).isEqualTo(expected);
                }
            }
            assertThat(group.getField("DEFAULTS").get(null)).as("DEFAULTS unchanged").isEqualTo(defaults);
        }
    }

    @Test
    void everyNamedDefaultIsTheDefault() throws Exception {
        List<String> unused = new ArrayList<>();
        for (Class<? extends Record> group : GROUPS) {
            Record defaults = (Record) group.getField("DEFAULTS").get(null);
            List<Object> values = new ArrayList<>();
            for (RecordComponent c : group.getRecordComponents()) {
                values.add(c.getAccessor().invoke(defaults));
            }
            for (Field f : group.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getName().startsWith("DEFAULT_")
                        && !values.contains(f.get(null))) {
                    unused.add(group.getSimpleName() + "." + f.getName());
                }
            }
        }
        assertThat(unused).as("DEFAULT_* constants that are not what the group starts with").isEmpty();
        HubOptions defaults = HubOptions.defaults();
        assertThat(defaults.routing().queueSize()).isEqualTo(HubOptions.Routing.DEFAULT_QUEUE_SIZE);
        assertThat(defaults.timing().offlineTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.listen().port()).isEqualTo(3000);
        assertThat(defaults.scheme()).isEqualTo("http");
    }

    @Test
    void badValuesAreRefusedWithTheirName() {
        assertThatThrownBy(() -> HubOptions.defaults().routing(r -> r.queueSize(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("queueSize must be at least 0, got -1");
        assertThatThrownBy(() -> HubOptions.defaults().listen(l -> l.port(70_000)))
                .hasMessage("port must be between 0 and 65535, got 70000");
        assertThatThrownBy(() -> HubOptions.defaults().timing(t -> t.offlineTimeout(Duration.ZERO)))
                .hasMessage("offlineTimeout must be positive, got PT0S");
        assertThatThrownBy(() -> HubOptions.defaults().tls(Path.of("cert.pem"), null))
                .hasMessage("TLS needs both a certificate and its private key");
        assertThatThrownBy(() -> HubOptions.defaults().access(a -> a.trustedProxies(List.of("not an address!"))))
                .hasMessageContaining("trusted proxy 'not an address!' is not an address");
    }

    @Test
    void theCreationPasswordIsNeverPrinted() {
        HubOptions options = HubOptions.defaults().access(a -> a.createPassword("s3cret-pw"));
        assertThat(options.toString()).doesNotContain("s3cret-pw").contains("createPassword=(set)");
        assertThat(options.access().createPassword()).isEqualTo("s3cret-pw");
    }

    @Test
    void theHubRunsWithTheOptionsItWasGiven() throws Exception {
        HubOptions options = HubOptions.loopback().limits(l -> l.maxBodyBytes(64 * 1024));
        HubOptions smaller = options.limits(l -> l.maxBodyBytes(1024));
        try (GambiarraHub hub = GambiarraHub.start(options)) {
            assertThat(smaller.limits().maxBodyBytes()).isEqualTo(1024);
            assertThat(options.limits().maxBodyBytes()).as("a copy was changed, not the options").isEqualTo(64 * 1024);
            HubClient client = new HubClient(hub.url());
            // 2 KiB: over the copy's limit, under the one the hub started with.
            String body = "{\"name\":\"" + "x".repeat(150) + "\",\"pad\":\"" + "y".repeat(2048) + "\"}";
            assertThat(client.post("/rooms", body).status()).isEqualTo(201);
            assertThat(hub.options()).isEqualTo(options);
        }
    }

    /** The method named as the value that takes one: {@code queueSize(int)} beside {@code queueSize()}. */
    private static Method wither(Class<?> group, RecordComponent component) {
        for (Method m : group.getMethods()) {
            if (m.getName().equals(component.getName()) && m.getParameterCount() == 1
                    && m.getParameterTypes()[0].isAssignableFrom(component.getType()) && m.getReturnType() == group) {
                return m;
            }
        }
        throw new AssertionError(group.getSimpleName() + " has no " + component.getName() + "("
                + component.getType().getSimpleName() + ") to change it");
    }

    private static Object unusual(Class<?> type, Object current) {
        if (type == String.class) {
            // A routing policy is one of a few names; any other string will do elsewhere.
            return HubOptions.Routing.DEFAULT_POLICY.equals(current) ? HubOptions.Routing.RANDOM : "value";
        } else if (type == int.class) {
            return (Integer) current * 2 + 1;
        } else if (type == long.class) {
            return (Long) current * 2 + 1;
        } else if (type == boolean.class) {
            return !(Boolean) current;
        } else if (type == Duration.class) {
            return ((Duration) current).plusMillis(777);
        } else if (type == Path.class) {
            return Path.of("/tmp/unusual");
        } else if (type == Set.class) {
            return Set.of("192.0.2.7");
        }
        throw new AssertionError("add a value for options of type " + type + " to this test");
    }
}
