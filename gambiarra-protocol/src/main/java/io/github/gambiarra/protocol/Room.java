package io.github.gambiarra.protocol;

/**
 * A room as the hub shows it: never carries the password or its hash.
 *
 * @param id        the hub's internal id of the room
 * @param code      the 6-character code people type to join (upper-case letters and digits)
 * @param name      the name given at creation
 * @param hostId    the id handed to whoever created the room
 * @param createdAt creation time, epoch milliseconds
 */
public record Room(String id, String code, String name, String hostId, long createdAt) {
}
