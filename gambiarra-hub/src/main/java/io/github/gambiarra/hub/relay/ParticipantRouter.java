package io.github.gambiarra.hub.relay;

import io.github.gambiarra.hub.room.ParticipantState;
import io.github.gambiarra.hub.room.RoomState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the participant that answers a chat completion, from the request's {@code model}:
 * {@code *} or {@code any} for any online participant, {@code model:<name>} for one serving that
 * model, otherwise a participant id, falling back to a model name.
 *
 * <p>Among several eligible participants it takes the one with the fewest requests in flight,
 * breaking ties in turn, so that load spreads instead of piling on the first.
 */
public final class ParticipantRouter {

    /** The outcome: a participant, or why there is none. */
    public sealed interface Route permits Chosen, NoParticipant, Offline {
    }

    /** A participant was chosen. */
    public record Chosen(ParticipantState participant) implements Route {
    }

    /** Nothing in the room can serve the request (404). */
    public record NoParticipant() implements Route {
    }

    /** The participant named by id is offline (503). */
    public record Offline(ParticipantState participant) implements Route {
    }

    public Route route(RoomState room, String requested) {
        String key = requested == null ? "" : requested.trim();
        if (key.equals("*") || key.equalsIgnoreCase("any")) {
            return pick(room, room.participants().stream().filter(ParticipantState::isOnline).toList());
        }
        if (key.startsWith("model:")) {
            return pick(room, servingModel(room, key.substring("model:".length())));
        }
        var byId = room.participant(key);
        if (byId.isPresent()) {
            return byId.get().isOnline() ? new Chosen(byId.get()) : new Offline(byId.get());
        }
        return pick(room, servingModel(room, key));
    }

    private static List<ParticipantState> servingModel(RoomState room, String model) {
        List<ParticipantState> matches = new ArrayList<>();
        for (ParticipantState p : room.participants()) {
            if (p.isOnline() && sameModel(p.model(), model)) {
                matches.add(p);
            }
        }
        return matches;
    }

    /**
     * Model names match exactly, or as Ollama's tagged form: {@code llama3} is
     * {@code llama3:latest}, both ways.
     */
    static boolean sameModel(String served, String wanted) {
        if (served == null || wanted == null || wanted.isBlank()) {
            return false;
        }
        String a = served.trim().toLowerCase(Locale.ROOT);
        String b = wanted.trim().toLowerCase(Locale.ROOT);
        return a.equals(b) || withDefaultTag(a).equals(withDefaultTag(b));
    }

    private static String withDefaultTag(String model) {
        int slash = model.lastIndexOf('/');
        return model.indexOf(':', slash + 1) >= 0 ? model : model + ":latest";
    }

    private static Route pick(RoomState room, List<ParticipantState> eligible) {
        if (eligible.isEmpty()) {
            return new NoParticipant();
        }
        int least = Integer.MAX_VALUE;
        List<ParticipantState> idlest = new ArrayList<>();
        for (ParticipantState p : eligible) {
            int load = p.inFlight();
            if (load < least) {
                least = load;
                idlest.clear();
            }
            if (load == least) {
                idlest.add(p);
            }
        }
        int turn = (int) Math.floorMod(room.nextTurn(), (long) idlest.size());
        return new Chosen(idlest.get(turn));
    }
}
