package io.github.gambiarra.spring.boot4;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.spring.autoconfigure.GambiarraAutoConfiguration;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/** The room's health indicator, on Spring Boot 4 ({@code management.health.gambiarra.enabled}). */
@AutoConfiguration(after = GambiarraAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
@ConditionalOnBean(GambiarraRoom.class)
@ConditionalOnEnabledHealthIndicator("gambiarra")
public class GambiarraHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "gambiarraHealthIndicator")
    public GambiarraHealthIndicator gambiarraHealthIndicator(GambiarraClient client, GambiarraRoom room) {
        return new GambiarraHealthIndicator(client, room);
    }
}
