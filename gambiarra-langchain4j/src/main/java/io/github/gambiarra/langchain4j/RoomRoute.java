package io.github.gambiarra.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import java.util.List;
import java.util.Set;

/**
 * What the blocking and the streaming model of one route share: the room, the routing key, and
 * the LangChain4j contracts that do not depend on how the answer arrives.
 */
abstract class RoomRoute {
    final Gambiarra room;
    final String route;

    RoomRoute(Gambiarra room, String route) {
        this.room = room;
        this.route = route;
    }

    /** The routing key sent as {@code model}: {@code *}, {@code model:<name>} or a participant id. */
    public String route() {
        return route;
    }

    /** The listeners given to the room's builder. */
    public List<ChatModelListener> listeners() {
        return room.listeners();
    }

    /** {@code OTHER}: LangChain4j has no constant for Gambiarra. */
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** The capabilities given to the room's builder ({@code RESPONSE_FORMAT_JSON_SCHEMA} by default). */
    public Set<Capability> supportedCapabilities() {
        return room.capabilities();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
