///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17

import dev.langchain4j.model.chat.ChatModel;
import io.github.gambiarra.langchain4j.Gambiarra;
import io.github.gambiarra.protocol.Participant;

/** Lists who is in the room and asks each one in turn: `jbang Route.java ABC123`. */
public class Route {
    public static void main(String... args) {
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Route.java ROOM_CODE");
            System.err.println("  says hello to every participant, by id and by model");
            System.exit(2);
        }
        Gambiarra room = Gambiarra.create(args[0]);
        for (Participant p : room.listParticipants()) {
            System.out.println(p.nickname() + " (" + p.id() + ") serves " + p.model() + ", " + p.status().wire());
            if (p.status().wire().equals("offline")) {
                continue;
            }
            ChatModel byId = room.participant(p.id());        // exactly this participant
            ChatModel byModel = room.model(p.model());        // anyone serving the same model
            System.out.println("  " + p.id() + " says: " + byId.chat("Hello!"));
            System.out.println("  model:" + p.model() + " says: " + byModel.chat("Hello again!"));
        }
    }
}
