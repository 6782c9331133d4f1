package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.protocol.OpenAiRoute;
import io.github.gambiarra.testing.FakeLlmServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * hub-api.md, Embeddings, Text completions, Responses and "Who serves what": the APIs beside chat,
 * through a real hub to fake LLM servers that serve some of them.
 */
class OpenAiApisTest {
    GambiarraHub hub;
    HubClient client;
    String code;
    final List<FakeLlmServer> servers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = GambiarraHub.start(HubOptions.loopback());
        client = new HubClient(hub.url());
        code = client.createRoom("R");
    }

    @AfterEach
    void stop() {
        hub.close();
        servers.forEach(FakeLlmServer::close);
    }

    private FakeLlmServer server(String model) {
        FakeLlmServer s = FakeLlmServer.start(model);
        servers.add(s);
        return s;
    }

    /** Joins with {@code apis} declared (null: not said). */
    private void join(String id, String model, FakeLlmServer server, String apis) throws Exception {
        HubClient.Reply r = client.post("/rooms/" + code + "/join", "{\"id\":\"" + id + "\",\"nickname\":\"" + id
                + "\",\"model\":\"" + model + "\",\"endpoint\":\"" + server.url() + "\""
                + (apis == null ? "" : ",\"apis\":" + apis) + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private HubClient.Reply post(OpenAiRoute route, String body) throws Exception {
        return client.post("/rooms/" + code + route.path(), body);
    }

    @Test
    void embeddingsAreRoutedLikeChatAndRelayedWithTheParticipantsModel() throws Exception {
        FakeLlmServer nomic = server("nomic-embed-text");
        join("ana", "nomic-embed-text", nomic, null);
        try (SseRecorder events = new SseRecorder(hub.url() + "/rooms/" + code + "/events")) {
            events.next("connected");
            HubClient.Reply r = post(OpenAiRoute.EMBEDDINGS,
                    "{\"model\":\"model:nomic-embed-text\",\"input\":[\"shared GPUs\",\"local models\"]}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.header("X-Gambiarra-Participant")).isEqualTo("ana");
            JsonNode data = r.json().get("data");
            assertThat(data).hasSize(2);
            float[] expected = FakeLlmServer.embedding("shared GPUs");
            assertThat(data.get(0).get("embedding")).hasSize(expected.length);
            assertThat(data.get(0).get("embedding").get(0).floatValue()).isEqualTo(expected[0]);
            FakeLlmServer.Recorded sent = nomic.takeRequest();
            assertThat(sent.path()).isEqualTo("/v1/embeddings");
            assertThat(sent.json().get("model").asText()).isEqualTo("nomic-embed-text");

            assertThat(events.next("llm:request").data().get("api").asText()).isEqualTo("embeddings");
            JsonNode complete = events.next("llm:complete").data();
            assertThat(complete.get("api").asText()).isEqualTo("embeddings");
            assertThat(complete.get("inputTokens").asLong()).isEqualTo(4);
            assertThat(complete.get("tokens").asLong()).isZero();
        }
        assertThat(client.metrics()).contains("api=\"embeddings\"").contains("gambiarra_input_tokens");
    }

    @Test
    void textCompletionsBlockingAndStreamed() throws Exception {
        FakeLlmServer coder = server("qwen2.5-coder");
        join("bia", "qwen2.5-coder", coder, null);
        HubClient.Reply blocking = post(OpenAiRoute.COMPLETIONS, "{\"model\":\"*\",\"prompt\":\"def sort(xs):\"}");
        assertThat(blocking.status()).isEqualTo(200);
        assertThat(blocking.json().at("/choices/0/text").asText())
                .isEqualTo("after 'def sort(xs):' comes more from qwen2.5-coder");

        HubClient.Reply streamed = post(OpenAiRoute.COMPLETIONS,
                "{\"model\":\"bia\",\"prompt\":\"fn main\",\"stream\":true}");
        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.header("Content-Type")).startsWith("text/event-stream");
        StringBuilder text = new StringBuilder();
        for (String line : streamed.body().split("\n")) {
            if (line.startsWith("data: {")) {
                text.append(HubClient.JSON.readTree(line.substring(6)).at("/choices/0/text").asText());
            }
        }
        assertThat(text.toString()).isEqualTo("after 'fn main' comes more from qwen2.5-coder");
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void chainedResponsesGoToTheParticipantThatHoldsTheConversation() throws Exception {
        // Two participants serve the Responses API; each server keeps its own responses, as real ones do.
        join("ana", "llama3", server("llama3"), "[\"chat\",\"responses\"]");
        join("bia", "llama3", server("llama3"), "[\"chat\",\"responses\"]");
        HubClient.Reply first = post(OpenAiRoute.RESPONSES, "{\"model\":\"model:llama3\",\"input\":\"hello\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String owner = first.header("X-Gambiarra-Participant");
        String id = first.json().get("id").asText();
        assertThat(first.json().at("/output/0/content/0/text").asText()).isEqualTo("turn 1 from llama3: hello");

        // Eight more turns, alternating streamed and not: least-busy routing alone would spread them.
        String previous = id;
        for (int turn = 2; turn <= 9; turn++) {
            boolean stream = turn % 2 == 0;
            HubClient.Reply next = post(OpenAiRoute.RESPONSES, "{\"model\":\"model:llama3\",\"input\":\"again\","
                    + "\"previous_response_id\":\"" + previous + "\",\"stream\":" + stream + "}");
            assertThat(next.status()).as(next.body()).isEqualTo(200);
            assertThat(next.header("X-Gambiarra-Participant")).isEqualTo(owner);
            if (stream) {
                assertThat(next.body()).contains("event: response.created")
                        .contains("\"delta\":\"" + turn + " \"").contains("event: response.completed");
                JsonNode completed = null;
                for (String line : next.body().split("\n")) {
                    if (line.startsWith("data: ") && line.contains("\"response.completed\"")) {
                        completed = HubClient.JSON.readTree(line.substring(6));
                    }
                }
                assertThat(completed).isNotNull();
                assertThat(completed.at("/response/output/0/content/0/text").asText())
                        .isEqualTo("turn " + turn + " from llama3: again");
                previous = completed.at("/response/id").asText();
            } else {
                assertThat(next.json().at("/output/0/content/0/text").asText())
                        .isEqualTo("turn " + turn + " from llama3: again");
                previous = next.json().get("id").asText();
            }
        }

    }

    @Test
    void aConversationWhoseParticipantLeftGetsItsCode() throws Exception {
        FakeLlmServer a = server("llama3");
        HubClient.Reply joined = client.post("/rooms/" + code + "/join",
                "{\"id\":\"ana\",\"nickname\":\"ana\",\"model\":\"llama3\",\"endpoint\":\"" + a.url() + "\"}");
        String token = joined.json().get("token").asText();
        join("bia", "llama3", server("llama3"), null);
        HubClient.Reply first = post(OpenAiRoute.RESPONSES, "{\"model\":\"ana\",\"input\":\"hello\"}");
        assertThat(first.status()).isEqualTo(200);
        String id = first.json().get("id").asText();
        assertThat(client.leave(code, "ana", token).status()).isEqualTo(200);

        HubClient.Reply orphan = post(OpenAiRoute.RESPONSES, "{\"model\":\"*\",\"input\":\"and then?\","
                + "\"previous_response_id\":\"" + id + "\"}");
        assertThat(orphan.status()).isEqualTo(404);
        assertThat(orphan.json().at("/error/code").asText()).isEqualTo("previous_response_unavailable");
        assertThat(orphan.json().at("/error/participant").asText()).isEqualTo("ana");
        assertThat(orphan.json().at("/error/message").asText()).contains(id).contains("left");
    }

    @Test
    void aResponseTheHubNeverSawIsTheParticipantsToJudgeAndTeachesNothing() throws Exception {
        join("ana", "llama3", server("llama3"), null);
        HubClient.Reply unknown = post(OpenAiRoute.RESPONSES, "{\"model\":\"*\",\"input\":\"x\","
                + "\"previous_response_id\":\"resp_made_elsewhere\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("previous_response_not_found");
        assertThat(unknown.header("X-Gambiarra-Participant")).isEqualTo("ana");
        assertThat(post(OpenAiRoute.RESPONSES, "{\"model\":\"*\",\"input\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void aRoomWhereOnlySomeServeEmbeddingsNeverFailsThem() throws Exception {
        // Nobody said what they serve: the hub learns from the 404s and stops asking.
        FakeLlmServer chatOnly1 = server("llama3").without(OpenAiRoute.EMBEDDINGS, OpenAiRoute.RESPONSES);
        FakeLlmServer chatOnly2 = server("llama3").without(OpenAiRoute.EMBEDDINGS).missingStatus(501);
        FakeLlmServer full = server("llama3");
        join("chat1", "llama3", chatOnly1, null);
        join("chat2", "llama3", chatOnly2, null);
        join("full", "llama3", full, null);
        for (int i = 0; i < 12; i++) {
            HubClient.Reply r = post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"*\",\"input\":\"text " + i + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.header("X-Gambiarra-Participant")).isEqualTo("full");
        }
        // Each chat-only server was asked at most once, then passed over.
        assertThat(chatOnly1.requestCount(OpenAiRoute.EMBEDDINGS)).isLessThanOrEqualTo(1);
        assertThat(chatOnly2.requestCount(OpenAiRoute.EMBEDDINGS)).isLessThanOrEqualTo(1);
        assertThat(full.requestCount(OpenAiRoute.EMBEDDINGS)).isEqualTo(12);
        // ... and still gets chat.
        for (int i = 0; i < 6; i++) {
            assertThat(post(OpenAiRoute.CHAT, "{\"model\":\"*\",\"messages\":[]}").status()).isEqualTo(200);
        }
        assertThat(chatOnly1.chatRequestCount() + chatOnly2.chatRequestCount()).isPositive();
        // What was learned shows: a participant that declared nothing shows no list; asking one that
        // does not serve the API directly is a clear error.
        HubClient.Reply direct = post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"chat1\",\"input\":\"x\"}");
        assertThat(direct.status()).isEqualTo(404);
        assertThat(direct.json().at("/error/code").asText()).isEqualTo("api_not_served");
        assertThat(client.metrics()).contains("outcome=\"not_served\"");
    }

    @Test
    void declaredApisRouteWithoutAskingAndShowInTheParticipantList() throws Exception {
        FakeLlmServer chatOnly = server("llama3").without(OpenAiRoute.EMBEDDINGS);
        FakeLlmServer full = server("llama3");
        join("chat", "llama3", chatOnly, "[\"chat\",\"completions\",\"some-future-api\"]");
        join("full", "llama3", full, "[\"chat\",\"embeddings\",\"completions\",\"responses\"]");
        for (int i = 0; i < 5; i++) {
            assertThat(post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"*\",\"input\":\"x\"}").header("X-Gambiarra-Participant"))
                    .isEqualTo("full");
        }
        assertThat(chatOnly.requestCount(OpenAiRoute.EMBEDDINGS)).isZero();
        JsonNode list = client.get("/rooms/" + code + "/participants").json().get("participants");
        for (JsonNode p : list) {
            List<String> apis = new ArrayList<>();
            p.get("apis").forEach(a -> apis.add(a.asText()));
            assertThat(apis).isEqualTo(p.get("id").asText().equals("chat") ? List.of("chat", "completions")
                    : List.of("chat", "completions", "embeddings", "responses"));
        }
        HubClient.Reply none = post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"chat\",\"input\":\"x\"}");
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.json().at("/error/code").asText()).isEqualTo("api_not_served");
        assertThat(none.json().at("/error/message").asText()).contains("/v1/embeddings");
    }

    @Test
    void onlyTheParticipantThatCannotServeItNoOneElse() throws Exception {
        FakeLlmServer chatOnly = server("llama3").without(OpenAiRoute.EMBEDDINGS);
        join("chat", "llama3", chatOnly, null);
        HubClient.Reply r = post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"*\",\"input\":\"x\"}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("api_not_served");
        assertThat(r.json().at("/error/participant").asText()).isEqualTo("chat");
        HubClient.Reply again = post(OpenAiRoute.EMBEDDINGS, "{\"model\":\"*\",\"input\":\"x\"}");
        assertThat(again.json().at("/error/code").asText()).isEqualTo("api_not_served");
        assertThat(chatOnly.requestCount(OpenAiRoute.EMBEDDINGS)).isEqualTo(1);
    }

    @Test
    void badBodiesAreRefusedBeforeAnyParticipantSeesThem() throws Exception {
        FakeLlmServer s = server("m");
        join("p", "m", s, null);
        String[][] cases = {
            {"/v1/embeddings", "{\"model\":\"*\",\"input\":42}", "invalid_request"},
            {"/v1/embeddings", "{\"model\":\"*\",\"input\":\"x\",\"stream\":true}", "invalid_request"},
            {"/v1/completions", "{\"model\":\"*\",\"prompt\":{}}", "invalid_request"},
            {"/v1/responses", "{\"model\":\"*\",\"input\":\"x\",\"previous_response_id\":7}", "invalid_request"},
            {"/v1/responses", "{\"input\":\"x\"}", "invalid_request"},
            {"/v1/completions", "not json", "invalid_json"},
        };
        for (String[] c : cases) {
            HubClient.Reply r = client.post("/rooms/" + code + c[0], c[1]);
            assertThat(r.status()).as(c[0] + " " + c[1]).isEqualTo(400);
            assertThat(r.json().at("/error/code").asText()).as(c[1]).isEqualTo(c[2]);
        }
        assertThat(s.requestCount()).isZero();
        // A room code in lower case is the same room.
        assertThat(client.post("/rooms/" + code.toLowerCase(java.util.Locale.ROOT) + "/v1/embeddings",
                "{\"model\":\"*\",\"input\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void theRoomPasswordGuardsEveryApi() throws Exception {
        HubClient.Reply created = client.post("/rooms", "{\"name\":\"P\",\"password\":\"s3cret\"}");
        String locked = created.json().at("/room/code").asText();
        FakeLlmServer s = server("m");
        assertThat(client.post("/rooms/" + locked + "/join", "{\"id\":\"p\",\"nickname\":\"p\",\"model\":\"m\","
                + "\"endpoint\":\"" + s.url() + "\",\"password\":\"s3cret\"}").status()).isEqualTo(201);
        for (OpenAiRoute route : OpenAiRoute.values()) {
            String body = "{\"model\":\"*\",\"messages\":[],\"input\":\"x\",\"prompt\":\"x\"}";
            HubClient.Reply without = client.post("/rooms/" + locked + route.path(), body);
            assertThat(without.status()).as(route.path()).isEqualTo(401);
            assertThat(without.json().at("/error/code").asText()).isEqualTo("password_required");
            assertThat(client.post("/rooms/" + locked + route.path(), body, "s3cret").status()).as(route.path())
                    .isEqualTo(200);
        }
    }
}
