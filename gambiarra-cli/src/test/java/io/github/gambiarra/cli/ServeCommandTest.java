package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.GambiarraHub;
import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.Eventually;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code gambiarra serve} run through picocli, as the launcher runs it. */
class ServeCommandTest {

    /** {@code serve} running with the given flags, until closed: as Ctrl-C stops it, then its exit status checked. */
    private static final class Serving implements AutoCloseable {
        final ServeCommand serve = new ServeCommand();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Integer> exit;

        Serving(String... flags) {
            CommandLine cli = new CommandLine(serve);
            cli.setOut(new PrintWriter(out, true));
            exit = CompletableFuture.supplyAsync(() -> cli.execute(flags));
            Eventually.await("the hub to start", Duration.ofSeconds(20), () -> serve.hub != null || exit.isDone());
            assertThat(serve.hub).as("hub started").isNotNull();
        }

        GambiarraHub hub() {
            return serve.hub;
        }

        @Override
        public void close() throws Exception {
            serve.running.stop();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void serveStartsAHubThatAnswersAndPrintsItsUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (Serving serving = new Serving("--port", String.valueOf(port), "--host", "127.0.0.1",
                "--offline-timeout", "2s", "--ephemeral")) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"ok\"");
            assertThat(serving.hub().options().timing().offlineTimeout().toSeconds()).isEqualTo(2);
            Eventually.await("the hub's URL printed", () -> serving.out.toString().contains("http://127.0.0.1:" + port));
        }
    }

    @Test
    void portInUseIsAOneLineErrorAndNonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            CommandLine cli = GambiarraCli.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute("serve", "--port", String.valueOf(taken.getLocalPort()), "--host", "127.0.0.1", "--ephemeral");
            assertThat(code).isNotZero();
            assertThat(err.toString().trim()).startsWith("error: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("\n\tat ");
        }
    }

    @Test
    void badDurationIsAUsageError() {
        CommandLine cli = GambiarraCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("serve", "--offline-timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    @Test
    void tlsNeedsBothFilesAndNamesABrokenOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        CommandLine cli = GambiarraCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("serve", "--ephemeral", "--tls-cert", "cert.pem")).isEqualTo(2);
        assertThat(err.toString()).contains("--tls-cert and --tls-key go together");

        err.getBuffer().setLength(0);
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"), "not a key");
        int code = cli.execute("serve", "--host", "127.0.0.1", "--port", "0", "--ephemeral",
                "--tls-cert", dir.resolve("missing.pem").toString(), "--tls-key", key.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().trim()).startsWith("error: cannot read the TLS certificate").contains("missing.pem")
                .doesNotContain("\n\tat ");
    }

    @Test
    void withACertificateTheHubPrintsHttpsUrls() throws Exception {
        io.vertx.core.net.SelfSignedCertificate certificate = io.vertx.core.net.SelfSignedCertificate.create("localhost");
        try (Serving serving = new Serving("--port", "0", "--host", "127.0.0.1", "--ephemeral",
                "--tls-cert", certificate.certificatePath(), "--tls-key", certificate.privateKeyPath())) {
            Eventually.await("the next step printed", () -> serving.out.toString().contains("Next:"));
            assertThat(serving.out.toString()).contains("https://127.0.0.1:" + serving.hub().port())
                    .doesNotContain("http://");
        } finally {
            certificate.delete();
        }
    }

    @Test
    void theLanLimitsAreTakenFromTheCommandLine() throws Exception {
        try (Serving serving = new Serving("--port", "0", "--host", "127.0.0.1", "--ephemeral", "--tunnel-only",
                "--idle-timeout", "20s", "--body-timeout", "15s", "--max-connections-per-address", "9",
                "--rooms-per-minute", "4", "--max-rooms", "7", "--create-password", "club", "--room-ttl", "2d",
                "--routing", "Least-Busy")) {
            HubOptions o = serving.hub().options();
            assertThat(o.routing().policy()).isEqualTo(HubOptions.Routing.LEAST_BUSY);
            assertThat(o.tunnel().only()).isTrue();
            assertThat(o.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(20));
            assertThat(o.limits().bodyTimeout()).isEqualTo(Duration.ofSeconds(15));
            assertThat(o.limits().maxConnectionsPerAddress()).isEqualTo(9);
            assertThat(o.limits().roomsPerMinute()).isEqualTo(4);
            assertThat(o.limits().maxRooms()).isEqualTo(7);
            assertThat(o.access().createPassword()).isEqualTo("club");
            assertThat(o.storage().roomTtl()).isEqualTo(Duration.ofDays(2));
        }
    }

    @Test
    void withNoFlagsAHubStartsWithTheHubsOwnDefaults() throws Exception {
        try (Serving serving = new Serving("--port", "0", "--host", "127.0.0.1", "--ephemeral")) {
            assertThat(serving.hub().options()).isEqualTo(HubOptions.loopback());
        }
    }

    @Test
    void helpShowsEveryDefaultAsTheOptionsHaveIt() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new ServeCommand());
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(ServeCommand.Defaults.byFlag()).hasSizeGreaterThan(20);
        ServeCommand.Defaults.byFlag().forEach((flag, value) ->
                assertThat(help).as(flag).contains(flag).contains("default: " + value));
        assertThat(help).contains("(default: 64)").contains("(default: 30s)").contains("(default: 7d)")
                .contains("(default: 60s)").contains("(default: 3000)");
    }
}
