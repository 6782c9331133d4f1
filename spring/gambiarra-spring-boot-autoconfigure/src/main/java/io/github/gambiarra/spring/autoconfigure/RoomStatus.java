package io.github.gambiarra.spring.autoconfigure;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.protocol.Participant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a health check says of the room, whatever Spring Boot line reports it: whether the hub answers
 * for the room, and how many participants are online. One call to the hub.
 *
 * @param up      the hub answered with the room's participants
 * @param details for the health endpoint: hub, room, participants online and in all, or the error
 */
public record RoomStatus(boolean up, Map<String, Object> details) {

    public static RoomStatus of(GambiarraClient client, GambiarraRoom room) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("hub", room.hubUrl());
        details.put("room", room.code());
        try {
            List<Participant> participants = client.listParticipants(room.code());
            long online = participants.stream().filter(p -> !p.status().wire().equals("offline")).count();
            details.put("participantsOnline", online);
            details.put("participants", participants.size());
            return new RoomStatus(true, details);
        } catch (GambiarraException e) {
            details.put("error", e.getMessage());
            if (e.code() != null) {
                details.put("code", e.code());
            }
            return new RoomStatus(false, details);
        }
    }
}
