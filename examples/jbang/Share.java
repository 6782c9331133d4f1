///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-langchain4j:0.1.0-SNAPSHOT
//DEPS org.slf4j:slf4j-nop:2.0.17

import io.github.gambiarra.langchain4j.GambiarraClient;
import io.github.gambiarra.langchain4j.HubDiscovery;
import io.github.gambiarra.langchain4j.JoinOptions;
import io.github.gambiarra.langchain4j.ParticipantSession;
import java.time.Duration;

/**
 * Shares a local model from Java, the way `gambiarra join` does:
 * `jbang Share.java ABC123 http://localhost:11434 llama3 [seconds]`. Leaves the room when it ends.
 */
public class Share {
    public static void main(String... args) throws Exception {
        String hub = HubDiscovery.standard(Duration.ofMillis(1500)).locate(args[0]).url();
        long seconds = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE / 1000;
        try (GambiarraClient client = GambiarraClient.create(hub);
             ParticipantSession me = client.join(args[0], JoinOptions.builder()
                     .nickname(System.getProperty("user.name", "java")).model(args[2]).endpoint(args[1]).build())) {
            System.out.println("Sharing " + args[2] + " in room " + args[0] + " on " + hub + " as " + me.id());
            Thread.sleep(seconds * 1000);
        }
        System.out.println("Left the room.");
    }
}
