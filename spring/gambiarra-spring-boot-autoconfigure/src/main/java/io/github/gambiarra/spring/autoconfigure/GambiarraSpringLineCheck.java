package io.github.gambiarra.spring.autoconfigure;

import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Stops an application whose Gambiarra starter is for the other Spring Boot line, naming the one to
 * use: without it, the Boot 3 starter in a Boot 4 application starts and has no {@code ChatModel}
 * (Spring AI 1.x's configuration does not apply on Boot 4), with no word why.
 *
 * <p>{@code gambiarra-spring-boot-starter} is Spring Boot 3.5 with Spring AI 1.1;
 * {@code gambiarra-spring-boot4-starter} is Spring Boot 4.0 with Spring AI 2.0. The LangChain4j starter
 * needs no Spring AI and is checked by nothing here.
 */
@AutoConfiguration(before = GambiarraAutoConfiguration.class)
@Conditional(GambiarraSpringLineCheck.OnTheRightLine.class)
public class GambiarraSpringLineCheck {
    /** Present only with the Boot 4 starter. */
    static final String BOOT4_STARTER_CLASS = "io.github.gambiarra.spring.boot4.GambiarraSpringAi2AutoConfiguration";
    /** Spring AI's OpenAI models: present with either Spring AI starter of ours. */
    static final String SPRING_AI_OPENAI_CLASS = "org.springframework.ai.openai.OpenAiChatModel";

    /**
     * Checked while the application's configuration is read, before any bean is made (an
     * application bean that needs a {@code ChatModel} would otherwise fail first, for want of one):
     * a mismatch stops the application with its message; otherwise there is nothing to configure.
     */
    static final class OnTheRightLine implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            ClassLoader loader = context.getClassLoader();
            String problem = mismatch(SpringBootVersion.getVersion(), ClassUtils.isPresent(BOOT4_STARTER_CLASS, loader),
                    ClassUtils.isPresent(SPRING_AI_OPENAI_CLASS, loader));
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
            return false;
        }
    }

    /**
     * What is wrong with this combination, in words with the fix, or null when nothing is.
     *
     * @param bootVersion the application's Spring Boot version (null when unknown: nothing is said)
     * @param boot4Starter whether the Boot 4 starter's configuration is on the classpath
     * @param springAi     whether Spring AI's OpenAI module is (the Spring AI starters bring it)
     */
    static String mismatch(String bootVersion, boolean boot4Starter, boolean springAi) {
        int major = major(bootVersion);
        if (major >= 4 && springAi && !boot4Starter) {
            return "This application runs Spring Boot " + bootVersion + ", and io.github.gambiarra:"
                    + "gambiarra-spring-boot-starter is for Spring Boot 3.5 with Spring AI 1.1: its ChatModel would not "
                    + "be made. Depend on io.github.gambiarra:gambiarra-spring-boot4-starter instead (Spring Boot 4.0, "
                    + "Spring AI 2.0).";
        }
        if (major == 3 && boot4Starter) {
            return "This application runs Spring Boot " + bootVersion + ", and io.github.gambiarra:"
                    + "gambiarra-spring-boot4-starter is for Spring Boot 4.0 with Spring AI 2.0. Depend on "
                    + "io.github.gambiarra:gambiarra-spring-boot-starter instead (Spring Boot 3.5, Spring AI 1.1).";
        }
        return null;
    }

    private static int major(String version) {
        if (version == null) {
            return -1;
        }
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
