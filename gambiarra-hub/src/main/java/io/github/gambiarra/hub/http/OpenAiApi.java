package io.github.gambiarra.hub.http;

import io.github.gambiarra.hub.relay.ChatCompletionBody;
import io.github.gambiarra.hub.relay.CompletionRelay;
import io.github.gambiarra.hub.relay.ParticipantRouter;
import io.github.gambiarra.hub.room.ParticipantState;
import io.github.gambiarra.hub.room.RoomState;
import io.github.gambiarra.protocol.Messages;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The OpenAI-compatible endpoints of a room: {@code /v1/models} and {@code /v1/chat/completions}. */
final class OpenAiApi {
    private final ParticipantRouter router;
    private final CompletionRelay relay;
    private final boolean showEndpoints;

    OpenAiApi(ParticipantRouter router, CompletionRelay relay, boolean showEndpoints) {
        this.router = router;
        this.relay = relay;
        this.showEndpoints = showEndpoints;
    }

    void models(RoutingContext ctx) {
        List<Messages.ModelEntry> data = RoomApi.room(ctx).participants().stream()
                .filter(ParticipantState::isOnline)
                .map(p -> new Messages.ModelEntry(p.id(), "model", p.joinedAt() / 1000, p.nickname(),
                        new Messages.ModelDetails(p.nickname(), p.model(), showEndpoints ? p.endpoint() : null)))
                .toList();
        Replies.json(ctx, 200, Messages.ModelList.of(data));
    }

    void chatCompletions(RoutingContext ctx) {
        RoomState room = RoomApi.room(ctx);
        ChatCompletionBody body;
        try {
            body = ChatCompletionBody.parse(ctx.body().buffer());
        } catch (ChatCompletionBody.InvalidBody e) {
            Replies.error(ctx, 400, e.getMessage());
            return;
        }
        ParticipantRouter.Route route = router.route(room, body.model());
        if (route instanceof ParticipantRouter.Chosen chosen) {
            relay.relay(ctx, room, chosen.participant(), body);
        } else if (route instanceof ParticipantRouter.Offline) {
            Replies.openAiError(ctx, 503, "Participant is offline", "participant_offline");
        } else {
            Replies.openAiError(ctx, 404, "No available participant for the requested model", "model_not_found");
        }
    }
}
