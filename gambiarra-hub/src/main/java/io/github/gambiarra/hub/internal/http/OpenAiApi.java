package io.github.gambiarra.hub.internal.http;

import io.github.gambiarra.hub.internal.room.ParticipantState;
import io.github.gambiarra.protocol.Messages;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** A room's {@code /v1/models}; {@link ChatCompletions} serves {@code /v1/chat/completions}. */
final class OpenAiApi {
    private final RoomApi rooms;

    OpenAiApi(RoomApi rooms) {
        this.rooms = rooms;
    }

    void models(RoutingContext ctx) {
        var room = RoomApi.room(ctx);
        List<Messages.ModelEntry> data = room.participants().stream()
                .filter(ParticipantState::isOnline)
                .map(p -> new Messages.ModelEntry(p.id(), "model", p.joinedAt() / 1000, p.nickname(),
                        new Messages.ModelDetails(p.nickname(), p.model(), rooms.shownEndpoint(ctx, room, p))))
                .toList();
        Replies.json(ctx, 200, Messages.ModelList.of(data));
    }
}
