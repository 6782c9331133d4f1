package io.github.gambiarra.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A starter on the wrong Spring Boot line stops the application and names the right artifact (the
 * Boot 4 side, with the real Spring Boot 4, is in the Boot 4 module's SpringBoot4LineTest).
 */
class SpringLineCheckTest {

    @Test
    void theBoot3StarterInABoot4ApplicationNamesTheBoot4One() {
        assertThat(GambiarraSpringLineCheck.mismatch("4.0.7", false, true))
                .contains("Spring Boot 4.0.7").contains("gambiarra-spring-boot-starter is for Spring Boot 3.5")
                .contains("Depend on io.github.gambiarra:gambiarra-spring-boot4-starter instead");
    }

    @Test
    void theBoot4StarterInABoot3ApplicationNamesTheBoot3One() {
        assertThat(GambiarraSpringLineCheck.mismatch("3.5.7", true, true))
                .contains("Spring Boot 3.5.7").contains("gambiarra-spring-boot4-starter is for Spring Boot 4.0")
                .contains("Depend on io.github.gambiarra:gambiarra-spring-boot-starter instead");
    }

    @Test
    void theRightLinesAndLangChain4jAloneAreLeftAlone() {
        assertThat(GambiarraSpringLineCheck.mismatch("3.5.7", false, true)).isNull();
        assertThat(GambiarraSpringLineCheck.mismatch("4.0.7", true, true)).isNull();
        // The LangChain4j starter brings no Spring AI: any line.
        assertThat(GambiarraSpringLineCheck.mismatch("4.0.7", false, false)).isNull();
        assertThat(GambiarraSpringLineCheck.mismatch(null, true, true)).isNull();
    }

    @Test
    void thisBoot3ApplicationWithTheBoot3StarterStarts() {
        assertThat(SpringBootVersion.getVersion()).startsWith("3.");
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GambiarraSpringLineCheck.class))
                .run(context -> assertThat(context).hasNotFailed());
    }
}
