package io.github.gambiarra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.gambiarra.protocol.GambiarraJson;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A hub and a stand-in LLM as a user runs them: the project's CLI jar started as
 * {@code gambiarra serve} and {@code gambiarra fake-llm}, in processes of their own on free loopback
 * ports, with a password-protected room the stand-in has joined. For tests of applications built
 * apart from this repository (the Spring examples), which see the hub only over HTTP.
 *
 * <pre>{@code
 * static final CliRoom ROOM = CliRoom.start(Path.of("../../gambiarra-cli/target/gambiarra.jar"), "s3cret");
 * registry.add("gambiarra.room", ROOM::code);  registry.add("gambiarra.hub", ROOM::hubUrl);
 * }</pre>
 */
public final class CliRoom implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Process> processes;
    private final String hubUrl;
    private final String code;
    private final String password;

    private CliRoom(List<Process> processes, String hubUrl, String code, String password) {
        this.processes = processes;
        this.hubUrl = hubUrl;
        this.code = code;
        this.password = password;
    }

    /**
     * Starts the hub and the stand-in (model {@code fake}, joined as participant {@code fake-1})
     * and creates the room.
     *
     * @param cliJar   the CLI's jar ({@code gambiarra-cli/target/gambiarra.jar})
     * @param password the room's password
     */
    public static CliRoom start(Path cliJar, String password) throws Exception {
        if (!Files.exists(cliJar)) {
            throw new IllegalStateException(cliJar.toAbsolutePath() + " is missing: run mvn -B install at the repository root first");
        }
        List<Process> processes = new ArrayList<>();
        try {
            int hubPort = freePort();
            int llmPort = freePort();
            processes.add(start(cliJar, "serve", "--host", "127.0.0.1", "--port", String.valueOf(hubPort), "--ephemeral",
                    "--quiet"));
            processes.add(start(cliJar, "fake-llm", "--port", String.valueOf(llmPort), "--model", "fake"));
            String hub = "http://127.0.0.1:" + hubPort;
            await(hub + "/health");
            await("http://127.0.0.1:" + llmPort + "/v1/models");
            JsonNode created = GambiarraJson.mapper().readTree(post(hub + "/rooms", "{\"name\":\"Example\",\"password\":\""
                    + password + "\"}"));
            String code = created.at("/room/code").asText();
            post(hub + "/rooms/" + code + "/join", "{\"id\":\"fake-1\",\"nickname\":\"Fake\",\"model\":\"fake\","
                    + "\"endpoint\":\"http://127.0.0.1:" + llmPort + "\",\"password\":\"" + password + "\"}");
            return new CliRoom(processes, hub, code, password);
        } catch (Exception e) {
            processes.forEach(Process::destroy);
            throw e;
        }
    }

    public String hubUrl() {
        return hubUrl;
    }

    public String code() {
        return code;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
    }

    private static Process start(Path jar, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void await(String url) throws Exception {
        for (int i = 0; i < 150; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException starting) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("nothing answered at " + url + " within 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
