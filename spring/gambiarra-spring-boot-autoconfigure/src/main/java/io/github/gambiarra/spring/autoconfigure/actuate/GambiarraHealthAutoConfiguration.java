package io.github.gambiarra.spring.autoconfigure.actuate;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The room's health indicator, on Spring Boot 3 with actuator ({@code management.health.gambiarra.enabled}). */
@AutoConfiguration(after = GambiarraAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.boot.actuate.health.AbstractHealthIndicator",
        "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnBean(GambiarraRoom.class)
@ConditionalOnEnabledHealthIndicator("gambiarra")
public class GambiarraHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "gambiarraHealthIndicator")
    public GambiarraHealthIndicator gambiarraHealthIndicator(GambiarraClient client, GambiarraRoom room) {
        return new GambiarraHealthIndicator(client, room);
    }
}
