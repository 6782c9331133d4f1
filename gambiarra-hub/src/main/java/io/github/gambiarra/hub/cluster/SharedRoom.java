package io.github.gambiarra.hub.cluster;

/**
 * A room as the cluster shares it: what the room store keeps on disk, never its participants.
 * A null {@code passwordHash} is an open room; a null {@code hostTokenHash} one nobody can delete.
 */
public record SharedRoom(String id, String code, String name, String hostId, long createdAt, String passwordHash,
                         String hostTokenHash) {
}
