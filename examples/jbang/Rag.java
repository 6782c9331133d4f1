///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17
//DEPS dev.langchain4j:langchain4j:1.19.0

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.loader.FileSystemDocumentLoader;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.github.gambiarra.langchain4j.Gambiarra;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Retrieval-augmented generation with nothing but a room: the room embeds the documents and the
 * question, LangChain4j's in-memory store finds the closest passages, and the room answers from them.
 *
 * <pre>
 * jbang Rag.java ABC123                                   # built-in notes, a built-in question
 * jbang Rag.java ABC123 "Which port does LM Studio use?"
 * jbang Rag.java ABC123 "What is the refund policy?" docs/*.txt
 * </pre>
 */
public class Rag {
    interface Librarian {
        String answer(String question);
    }

    static final List<String> NOTES = List.of(
            "Ollama serves its OpenAI-compatible API on port 11434.",
            "LM Studio serves its local server on port 1234.",
            "llama.cpp's server listens on port 8080 and serves embeddings when started with --embeddings.",
            "vLLM serves an OpenAI-compatible API on port 8000.",
            "A Gambiarra room code has six characters, letters and digits.",
            "Bananas are a good source of potassium.");

    public static void main(String... args) throws Exception {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Rag.java ROOM_CODE [QUESTION [FILE...]]");
            System.err.println("  embeds the files (or built-in notes) with the room, then answers QUESTION from them");
            System.exit(2);
        }
        String question = args.length > 1 ? args[1] : "Which port does LM Studio use?";
        List<Document> documents = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            documents.add(FileSystemDocumentLoader.loadDocument(Path.of(args[i])));
        }
        if (documents.isEmpty()) {
            NOTES.forEach(note -> documents.add(Document.from(note)));
        }

        Gambiarra room = Gambiarra.create(args[0]);
        // Embeddings come from participants whose server serves them; one store holds one model's vectors,
        // so in a room of several models, name one: room.model("nomic-embed-text").embedding().
        EmbeddingModel embeddings = room.any().embedding();
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        EmbeddingStoreIngestor.builder()
                .documentSplitter(DocumentSplitters.recursive(500, 50))
                .embeddingModel(embeddings)
                .embeddingStore(store)
                .build()
                .ingest(documents);
        System.out.println("Embedded " + documents.size() + " document(s), " + embeddings.dimension() + " dimensions.");

        ContentRetriever retriever = EmbeddingStoreContentRetriever.builder()
                .embeddingStore(store).embeddingModel(embeddings).maxResults(2).minScore(0.1).build();
        for (Content found : retriever.retrieve(Query.from(question))) {
            System.out.println("Retrieved: " + found.textSegment().text());
        }

        Librarian librarian = AiServices.builder(Librarian.class)
                .chatModel(room.any())
                .contentRetriever(retriever)
                .build();
        System.out.println("Q: " + question);
        System.out.println("A: " + librarian.answer(question));
    }
}
