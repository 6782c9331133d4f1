package io.github.gambiarra.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One row of {@code GET /rooms}: the room plus how many participants it has.
 *
 * @param passwordProtected whether the room needs a password; an addition to the original
 *                          protocol, absent (null) when a hub does not say
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoomSummary(String id, String code, String name, String hostId, long createdAt,
                          int participantCount, Boolean passwordProtected) {

    public static RoomSummary of(Room room, int participantCount, boolean passwordProtected) {
        return new RoomSummary(room.id(), room.code(), room.name(), room.hostId(), room.createdAt(),
                participantCount, passwordProtected);
    }
}
