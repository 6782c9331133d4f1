package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.client.GambiarraException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra delete}: deletes a room, with the host token its creation gave. */
@Command(name = "delete", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Delete a room you created. Its participants are let go and its watchers told.",
                "The room's host token is the one '${sys:gambiarra.launcher:-gambiarra} create' kept on this machine, or --host-token."},
        footer = {"", "Examples:", "  ${sys:gambiarra.launcher:-gambiarra} delete K7Q2ZD", "  ${sys:gambiarra.launcher:-gambiarra} delete K7Q2ZD --host-token 3q2-...  # from another machine"})
public final class DeleteCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Parameters(index = "0", paramLabel = "CODE", description = "The room code.")
    String code;

    @Option(names = "--host-token", paramLabel = "TOKEN",
            description = "The room's host token (default: the one kept when the room was created here).")
    String hostToken;

    /** Where host tokens are kept (tests point it elsewhere). */
    HostTokenStore tokens = HostTokenStore.standard();

    @Override
    public Integer call() throws Exception {
        String hubUrl = hub.resolve(code);
        String token = hostToken != null ? hostToken : tokens.get(hubUrl, code);
        if (token == null) {
            try (GambiarraClient client = GambiarraClient.create(hubUrl)) {
                if (client.listRooms().stream().noneMatch(r -> r.code().equalsIgnoreCase(code.strip()))) {
                    throw new IllegalStateException("room " + code.toUpperCase(Locale.ROOT) + " is not on the hub at "
                            + hubUrl + " (deleted already, or expired): nothing to delete");
                }
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "no host token for room "
                    + code.toUpperCase(Locale.ROOT) + " on " + hubUrl + " in " + tokens.file()
                    + ": rooms created elsewhere need their host token (the \"hostToken\" of the creation "
                    + "answer, `" + Launcher.command() + " create --json`) with --host-token");
        }
        try (GambiarraClient client = GambiarraClient.create(hubUrl)) {
            client.deleteRoom(code, token);
        } catch (GambiarraException.RoomNotFoundException gone) {
            // Expired or deleted already: its token is of no more use.
            tokens.remove(hubUrl, code);
            throw gone;
        }
        tokens.remove(hubUrl, code);
        PrintWriter out = spec.commandLine().getOut();
        out.println("Room " + code.toUpperCase(Locale.ROOT) + " deleted.");
        return 0;
    }
}
