///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17
//DEPS dev.langchain4j:langchain4j:1.19.0
//JAVAC_OPTIONS -parameters

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.service.AiServices;
import io.github.gambiarra.langchain4j.Gambiarra;
import java.time.LocalDate;

/** An AiServices assistant with a tool, answered by the room: `jbang Assistant.java ABC123`. */
public class Assistant {
    interface Helper {
        String chat(String message);
    }

    static class Calendar {
        @Tool("Tells today's date")
        String today(String timezone) {
            return LocalDate.now() + " (" + timezone + ")";
        }
    }

    public static void main(String... args) {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Assistant.java ROOM_CODE [QUESTION]");
            System.err.println("  an AiServices assistant with a tool");
            System.exit(2);
        }
        Helper helper = AiServices.builder(Helper.class)
                .chatModel(Gambiarra.create(args[0]).any())
                .tools(new Calendar())
                .build();
        System.out.println(helper.chat(args.length > 1 ? args[1] : "What is the date today?"));
    }
}
