///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17

import dev.langchain4j.model.chat.ChatModel;
import io.github.gambiarra.langchain4j.Gambiarra;

/** Asks a room anything: `jbang Hello.java ABC123 "Why is the sky blue?"`. */
public class Hello {
    public static void main(String... args) {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Hello.java ROOM_CODE [PROMPT]");
            System.err.println("  asks any participant of the room and prints the answer");
            System.exit(2);
        }
        String prompt = args.length > 1 ? String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length))
                : "Write a function to sort an array";
        ChatModel model = Gambiarra.create(args[0]).any();   // the hub is found for you
        System.out.println(model.chat(prompt));
    }
}
