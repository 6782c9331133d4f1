package io.github.gambiarra.hub.http;

import io.github.gambiarra.hub.relay.ChatCompletionBody;
import io.github.gambiarra.hub.relay.Dispatcher;
import io.github.gambiarra.hub.room.ParticipantState;
import io.github.gambiarra.protocol.Messages;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The OpenAI-compatible endpoints of a room: {@code /v1/models} and {@code /v1/chat/completions}. */
final class OpenAiApi {
    private final Dispatcher dispatcher;
    private final RoomApi rooms;

    OpenAiApi(Dispatcher dispatcher, RoomApi rooms) {
        this.dispatcher = dispatcher;
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

    void chatCompletions(RoutingContext ctx) {
        ChatCompletionBody body;
        try {
            body = ChatCompletionBody.parse(ctx.body().buffer());
        } catch (ChatCompletionBody.InvalidBody e) {
            Replies.error(ctx, 400, e.getMessage());
            return;
        }
        dispatcher.dispatch(ctx, RoomApi.room(ctx), body);
    }
}
