package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.protocol.Participant;
import io.github.gambiarra.protocol.RoomSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra list}: the hub's rooms, or who is in one. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"List the rooms on the hub, with their participant counts.",
                "With a room code: who is in that room, the model each shares, and whether it is online."},
        footer = {"", "Examples:", "  ${sys:gambiarra.launcher:-gambiarra} list",
                "  ${sys:gambiarra.launcher:-gambiarra} list ABC123",
                "  ${sys:gambiarra.launcher:-gambiarra} list --json"})
public final class ListCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CODE", description = "A room: list its participants.")
    String code;

    @Option(names = {"-p", "--password"}, description = "The room password, for a protected room's participants.")
    String password;

    @Option(names = "--json", description = "Print the rooms (or the room's participants) as JSON, as the hub answers them.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (code != null) {
            return participants();
        }
        try (GambiarraClient client = hub.client(null, null)) {
            List<RoomSummary> rooms = client.listRooms();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(GambiarraJson.mapper().writeValueAsString(new Messages.RoomList(rooms)));
                return 0;
            }
            if (rooms.isEmpty()) {
                out.println("No rooms on " + client.hubUrl() + ". Create one: " + Launcher.command() + " create --name \"My room\"");
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

    private Integer participants() throws Exception {
        String room = code.strip().toUpperCase(Locale.ROOT);
        try (GambiarraClient client = hub.client(room, password)) {
            List<Participant> participants = client.listParticipants(room);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(GambiarraJson.mapper().writeValueAsString(new Messages.ParticipantList(participants)));
                return 0;
            }
            if (participants.isEmpty()) {
                out.println("Nobody in room " + room + " yet. Share a model: " + Launcher.command() + " join " + room
                        + (hub.hub == null ? "" : " --hub " + client.hubUrl()) + (password == null ? "" : " --password ..."));
                return 0;
            }
            int idWidth = Math.max(2, participants.stream().mapToInt(p -> p.id().length()).max().orElse(2));
            int nameWidth = Math.max(8, participants.stream().mapToInt(p -> p.nickname().length()).max().orElse(8));
            int modelWidth = Math.max(5, participants.stream().mapToInt(p -> p.model().length()).max().orElse(5));
            String row = "%-" + idWidth + "s  %-" + nameWidth + "s  %-" + modelWidth + "s  %-7s  %s%n";
            out.printf(row, "ID", "NICKNAME", "MODEL", "STATUS", "SERVES");
            for (Participant p : participants) {
                out.printf(row, p.id(), p.nickname(), p.model(), p.status().wire(),
                        p.apis() == null ? "chat (and maybe more)" : String.join(", ", p.apis()));
            }
            out.println();
            out.println("Ask the room: " + Launcher.command() + " chat " + room
                    + (hub.hub == null ? "" : " --hub " + client.hubUrl()) + (password == null ? "" : " --password ...")
                    + " \"Hello\"   (one of them: --participant ID; one model: --model NAME)");
            return 0;
        }
    }
}
