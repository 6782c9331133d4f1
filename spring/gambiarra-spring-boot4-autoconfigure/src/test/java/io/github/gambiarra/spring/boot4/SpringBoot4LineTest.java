package io.github.gambiarra.spring.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.spring.autoconfigure.GambiarraSpringLineCheck;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * On the real Spring Boot 4: with the Boot 4 starter the line check passes; with only the Boot 3
 * starter's parts (this module's configuration hidden, Spring AI there) the application stops and
 * says to use gambiarra-spring-boot4-starter.
 */
class SpringBoot4LineTest {
    final ApplicationContextRunner app = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GambiarraSpringLineCheck.class));

    @Test
    void theBoot4StarterPasses() {
        assertThat(SpringBootVersion.getVersion()).startsWith("4.");
        app.run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void theBoot3StarterAloneStopsTheApplicationNamingTheBoot4One() {
        app.withClassLoader(new FilteredClassLoader(GambiarraSpringAi2AutoConfiguration.class)).run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            assertThat(cause).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("runs Spring Boot 4.")
                    .hasMessageContaining("Depend on io.github.gambiarra:gambiarra-spring-boot4-starter instead");
        });
    }
}
