///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS io.github.gambiarra:gambiarra-client:0.1.0-SNAPSHOT
// 0.1.0-SNAPSHOT is a local build (mvn -B -DskipTests install at the repository root); once 0.1.0 is on Maven Central, write 0.1.0.
//DEPS org.slf4j:slf4j-nop:2.0.17

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.HubDiscovery;
import io.github.gambiarra.client.JoinOptions;
import io.github.gambiarra.client.LlmServerProbe;
import io.github.gambiarra.client.ParticipantSession;

/**
 * Shares this machine's LLM server in a room from Java, the way `gambiarra join` does:
 * `jbang Share.java ABC123 [MODEL]`. It finds the local server (Ollama, LM Studio, llama.cpp, vLLM
 * on their usual ports, or the one GAMBIARRA_LLM names) and the hub (GAMBIARRA_HUB, mDNS or
 * localhost:3000), and shares until Ctrl-C, when it leaves the room. Needs only the hub client.
 */
public class Share {
    public static void main(String... args) throws Exception {
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            System.err.println("usage: jbang Share.java ROOM_CODE [MODEL]");
            System.err.println("  shares this machine's LLM server (or GAMBIARRA_LLM=http://HOST:PORT) until Ctrl-C");
            System.exit(2);
        }
        String code = args[0];
        LlmServerProbe probe = new LlmServerProbe();
        LlmServerProbe.Found server = probe.findLocal().orElse(null);
        if (server == null) {
            System.err.println("No LLM server found on this machine (looked at "
                    + probe.candidates().stream().map(LlmServerProbe.Known::url).toList()
                    + "). Start Ollama or LM Studio, or set GAMBIARRA_LLM=http://HOST:PORT.");
            System.exit(1);
        }
        String model = args.length > 1 ? args[1] : server.models().size() == 1 ? server.models().get(0) : null;
        if (model == null) {
            System.err.println(server.endpoint() + " serves " + server.models() + ": name one, e.g. jbang Share.java "
                    + code + " " + (server.models().isEmpty() ? "llama3" : server.models().get(0)));
            System.exit(2);
        }
        String hub = HubDiscovery.standard(HubDiscovery.DEFAULT_MDNS_TIMEOUT).locate(code).url();
        // The session leaves the room when the JVM stops (Ctrl-C, SIGTERM): no try/finally needed.
        ParticipantSession me = GambiarraClient.create(hub).join(code, JoinOptions.builder()
                .nickname(System.getProperty("user.name", "java")).model(model).endpoint(server.endpoint())
                .listener(new ParticipantSession.Listener() {
                    @Override
                    public void onLeft() {
                        System.out.println("Left the room.");
                    }
                }).build());
        System.out.println("Sharing " + model + " from " + server.name() + " (" + server.endpoint() + ") in room "
                + code + " on " + hub + " as " + me.id() + ". Ctrl-C leaves the room.");
        me.awaitLeft();
    }
}
