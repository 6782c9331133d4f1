package io.github.gambiarra.bench;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.github.gambiarra.langchain4j.Gambiarra;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-call cost of the provider: {@code GambiarraChatModel} against a plain LangChain4j
 * {@code OpenAiChatModel}, one call after another (a careful loop: warm-up first, then several
 * timed rounds, medians reported).
 */
final class SdkOverhead {
    /**
     * Median microseconds per call of each model: wall time, and this process's CPU time (the
     * clients' own work: the hub and the fake run in other processes).
     */
    record Result(double sdkViaHubUs, double plainViaHubUs, double plainDirectUs, List<Double> sdkRounds,
                  List<Double> plainHubRounds, List<Double> directRounds,
                  double sdkCpuUs, double plainHubCpuUs, double directCpuUs) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    static Result measure(String hubUrl, String roomCode, String directBaseUrl, int calls, int rounds) {
        ChatModel sdk = Gambiarra.builder().hubUrl(hubUrl).roomCode(roomCode).maxRetries(0).build().any();
        ChatModel plainHub = OpenAiChatModel.builder().baseUrl(hubUrl + "/rooms/" + roomCode + "/v1").apiKey("x")
                .modelName("*").maxRetries(0).build();
        ChatModel direct = OpenAiChatModel.builder().baseUrl(directBaseUrl).apiKey("x").modelName("bench")
                .maxRetries(0).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hi")).build();
        for (ChatModel m : List.of(sdk, plainHub, direct)) {
            loop(m, request, calls);
        }
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<ChatModel> models = List.of(sdk, plainHub, direct);
        List<List<Double>> results = List.of(a, b, c);
        for (int r = 0; r < rounds; r++) {
            // Interleaved, and each round starts with another model, so that drift in the
            // machine's load and garbage left by the previous loop hit all three alike.
            for (int k = 0; k < 3; k++) {
                int m = (r + k) % 3;
                long cpu0 = OS.getProcessCpuTime();
                results.get(m).add(loop(models.get(m), request, calls));
                cpu.get(m).add((OS.getProcessCpuTime() - cpu0) / 1e3 / calls);
            }
        }
        return new Result(Stats.median(a), Stats.median(b), Stats.median(c), a, b, c,
                Stats.median(cpu.get(0)), Stats.median(cpu.get(1)), Stats.median(cpu.get(2)));
    }

    private static double loop(ChatModel model, ChatRequest request, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            model.chat(request);
        }
        return (System.nanoTime() - start) / 1e3 / calls;
    }
}
