package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.RoomSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gambiarra list}: the hub's rooms. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List the rooms on the hub, with their participant counts.",
        footer = {"", "Examples:", "  gambiarra list", "  gambiarra list --json"})
public final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Option(names = "--json", description = "Print the rooms as JSON, as the hub answers them.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (GambiarraClient client = hub.client(null, null)) {
            List<RoomSummary> rooms = client.listRooms();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(GambiarraJson.mapper().writeValueAsString(new Messages.RoomList(rooms)));
                return 0;
            }
            if (rooms.isEmpty()) {
                out.println("No rooms on " + client.hubUrl() + ". Create one: gambiarra create --name \"My room\"");
                return 0;
            }
            int nameWidth = Math.max(4, rooms.stream().mapToInt(r -> r.name().length()).max().orElse(4));
            out.printf("%-6s  %-" + nameWidth + "s  %12s  %s%n", "CODE", "NAME", "PARTICIPANTS", "PASSWORD");
            for (RoomSummary r : rooms) {
                out.printf("%-6s  %-" + nameWidth + "s  %12d  %s%n", r.code(), r.name(), r.participantCount(),
                        Boolean.TRUE.equals(r.passwordProtected()) ? "yes" : "no");
            }
            return 0;
        }
    }
}
