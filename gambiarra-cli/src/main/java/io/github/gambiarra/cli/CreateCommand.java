package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.GambiarraJson;
import io.github.gambiarra.protocol.Messages;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gambiarra create}: makes a room and prints its code. */
@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Create a room on the hub and print its code.",
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} create --name \"Team room\"",
                "  ${sys:gambiarra.launcher:-gambiarra} create --name Lab --password s3cret",
                "  ${sys:gambiarra.launcher:-gambiarra} create --name Lab --json | jq -r .room.code",
                "  ${sys:gambiarra.launcher:-gambiarra} create --name Lab --create-password club-secret"})
public final class CreateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HubOption hub;

    @Option(names = {"-n", "--name"}, required = true, description = "The room's name.")
    String name;

    @Option(names = {"-p", "--password"}, description = "Protect the room with a password.")
    String password;

    @Option(names = "--json", description = "Print the hub's answer as JSON.")
    boolean json;

    @Option(names = "--create-password", paramLabel = "PASSWORD", defaultValue = "${env:GAMBIARRA_CREATE_PASSWORD}",
            description = "The hub's creation password, when it restricts who creates rooms (also $GAMBIARRA_CREATE_PASSWORD).")
    String createPassword;

    /** Where host tokens are kept (tests point it elsewhere). */
    HostTokenStore tokens = HostTokenStore.standard();

    @Override
    public Integer call() throws Exception {
        try (GambiarraClient client = GambiarraClient.builder().hubUrl(hub.resolve(null))
                .createPassword(createPassword).build()) {
            Messages.CreateRoomResponse created = client.createRoom(name, password);
            PrintWriter out = spec.commandLine().getOut();
            String kept = null;
            if (created.hostToken() != null) {
                try {
                    tokens.put(client.hubUrl(), created.room().code(), created.hostToken());
                    kept = tokens.file().toString();
                } catch (java.io.IOException e) {
                    spec.commandLine().getErr().println("warning: could not keep the room's host token in "
                            + tokens.file() + " (" + e.getMessage() + "); it is " + created.hostToken());
                }
            }
            if (json) {
                out.println(GambiarraJson.mapper().writeValueAsString(created));
                return 0;
            }
            String code = created.room().code();
            out.println("Room created! Code: " + code);
            out.println();
            out.println("  name: " + created.room().name() + (password == null || password.isEmpty() ? "" : "  (password protected)"));
            out.println("  hub:  " + client.hubUrl());
            out.println();
            out.println("Share a model:  " + Launcher.command() + " join " + code + hubFlag(client) + (password == null ? "" : " --password ..."));
            out.println("Watch it:       " + Launcher.command() + " monitor " + code + hubFlag(client));
            out.println("Use it:         " + client.hubUrl() + "/rooms/" + code + "/v1  (any OpenAI client)");
            if (kept != null) {
                out.println("Delete it:      " + Launcher.command() + " delete " + code + hubFlag(client) + "  (its host token is kept in "
                        + kept + ")");
            }
            return 0;
        }
    }

    private String hubFlag(GambiarraClient client) {
        return hub.hub == null ? "" : " --hub " + client.hubUrl();
    }
}
