package io.github.gambiarra.spring.boot4;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import io.github.gambiarra.spring.autoconfigure.RoomStatus;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * {@code /actuator/health/gambiarra} on Spring Boot 4: up when the hub answers for the room, with the
 * number of participants online; down (with the hub's error code) when it cannot be reached or has
 * no such room.
 */
public class GambiarraHealthIndicator extends AbstractHealthIndicator {
    private final GambiarraClient client;
    private final GambiarraRoom room;

    public GambiarraHealthIndicator(GambiarraClient client, GambiarraRoom room) {
        super("the Gambiarra room health check failed");
        this.client = client;
        this.room = room;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        RoomStatus status = RoomStatus.of(client, room);
        (status.up() ? builder.up() : builder.down()).withDetails(status.details());
    }
}
