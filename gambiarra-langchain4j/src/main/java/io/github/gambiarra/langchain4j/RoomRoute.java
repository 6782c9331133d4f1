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

    public List<ChatModelListener> listeners() {
        return room.listeners();
    }

    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    public Set<Capability> supportedCapabilities() {
        return room.capabilities();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{room=" + room.roomCode() + ", route=" + route + ", hub=" + room.hubUrl() + "}";
    }
}
