package io.github.gambiarra.bench;

import io.github.gambiarra.llama.EngineOptions;
import io.github.gambiarra.llama.LlamaEngine;
import java.nio.file.Path;

/** The llama.cpp engine in a process of its own: {@code EngineServer FILE PORT PARALLEL THREADS}. */
public final class EngineServer {
    private EngineServer() {
    }

    public static void main(String[] args) throws Exception {
        LlamaEngine engine = LlamaEngine.start(EngineOptions.builder().gguf(Path.of(args[0])).modelName("bench")
                .port(Integer.parseInt(args[1])).parallel(Integer.parseInt(args[2])).threads(Integer.parseInt(args[3]))
                .contextSize(2048 * Integer.parseInt(args[2])).ignoreEos(true).build());
        Runtime.getRuntime().addShutdownHook(new Thread(engine::close));
        System.out.println("engine on " + engine.url());
        Thread.currentThread().join();
    }
}
