package io.github.gambiarra.spring.autoconfigure;

import io.github.gambiarra.client.GambiarraClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The room named by {@code gambiarra.room}, and the hub client for it. Everything else the starter
 * configures (Spring AI, LangChain4j, health, sharing) builds on these two beans.
 */
@AutoConfiguration
@ConditionalOnRoom
@EnableConfigurationProperties(GambiarraProperties.class)
public class GambiarraAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public GambiarraRoom gambiarraRoom(GambiarraProperties properties) {
        return new GambiarraRoom(properties);
    }

    /** {@code gambiarra.share.enabled=true}: this application shares a local model into the room while it runs. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "gambiarra.share", name = "enabled", havingValue = "true")
    public GambiarraShare gambiarraShare(GambiarraClient client, GambiarraRoom room, GambiarraProperties properties) {
        return new GambiarraShare(client, room, properties.getShare());
    }

    /** The hub client for the room's hub: rooms, participants, events, joining. Closed with the context. */
    @Bean
    @ConditionalOnMissingBean
    public GambiarraClient gambiarraClient(GambiarraRoom room, GambiarraProperties properties) {
        return GambiarraClient.builder().hubUrl(room.hubUrl()).password(room.password())
                .timeout(properties.getTimeout()).connectTimeout(properties.getConnectTimeout()).build();
    }
}
