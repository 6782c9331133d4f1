package io.github.gambiarra.spring.autoconfigure.actuate;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.spring.autoconfigure.GambiarraRoom;
import io.github.gambiarra.spring.autoconfigure.RoomStatus;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * {@code /actuator/health/gambiarra} on Spring Boot 3: up when the hub answers for the room, with the
 * number of participants online; down (with the hub's error code) when the hub cannot be reached or
 * has no such room. An empty room is up: the hub works, and participants come and go.
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
