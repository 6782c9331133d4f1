package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.testing.FakeLlmServer;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --tls-cert/--tls-key}: the hub speaks HTTPS, and only HTTPS, on its port. */
class TlsTest {
    SelfSignedCertificate certificate;
    GambiarraHub hub;
    FakeLlmServer llm;

    @BeforeEach
    void start() {
        certificate = SelfSignedCertificate.create("localhost");
        llm = FakeLlmServer.start("llama3");
        hub = GambiarraHub.start(HubOptions.loopback()
                .tls(Path.of(certificate.certificatePath()), Path.of(certificate.privateKeyPath())));
    }

    @AfterEach
    void stop() {
        hub.close();
        llm.close();
        certificate.delete();
    }

    /** A client that trusts exactly the hub's self-signed certificate. */
    HttpClient trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(certificate.certificatePath()))) {
            trust.setCertificateEntry("hub", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void roomsEventsAndCompletionsGoOverHttps() throws Exception {
        assertThat(hub.url()).startsWith("https://127.0.0.1:");
        // The certificate names localhost; the hub listens on 127.0.0.1.
        HubClient client = new HubClient("https://localhost:" + hub.port(), trusting());
        assertThat(client.get("/health").status()).isEqualTo(200);
        String code = client.createRoom("Secure");
        client.join(code, "joao", "llama3", llm.url());
        HubClient.Reply listing = client.get("/rooms/" + code + "/participants");
        // What room users see as the endpoint is the room on this hub, reached over HTTPS.
        assertThat(listing.json().at("/participants/0/endpoint").asText())
                .isEqualTo("https://localhost:" + hub.port() + "/rooms/" + code);
        HubClient.Reply answer = client.post("/rooms/" + code + "/v1/chat/completions",
                "{\"model\":\"*\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().at("/choices/0/message/content").asText()).isEqualTo("Hello from llama3");
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() throws Exception {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void anUntrustedClientIsRefusedTheHandshake() {
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(URI.create("https://localhost:" + hub.port() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    }

    @Test
    void missingOrBrokenKeyFilesAreNamedAtStart(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> GambiarraHub.start(HubOptions.loopback()
                .tls(missing, Path.of(certificate.privateKeyPath()))))
                .isInstanceOf(GambiarraHub.HubStartException.class)
                .hasMessageContaining("cannot read the TLS certificate").hasMessageContaining("nope.pem");
        Path garbage = Files.writeString(dir.resolve("key.pem"), "not a key");
        assertThatThrownBy(() -> GambiarraHub.start(HubOptions.loopback()
                .tls(Path.of(certificate.certificatePath()), garbage)))
                .isInstanceOf(GambiarraHub.HubStartException.class)
                .hasMessageContaining("cannot serve TLS").hasMessageContaining("key.pem");
        assertThatThrownBy(() -> HubOptions.defaults().tls(Path.of(certificate.certificatePath()), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("both");
    }

    @Test
    void aTakenPortIsNotBlamedOnTheCertificate() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> GambiarraHub.start(HubOptions.defaults()
                    .listen(l -> l.host("127.0.0.1").port(taken.getLocalPort()))
                    .tls(Path.of(certificate.certificatePath()), Path.of(certificate.privateKeyPath()))))
                    .isInstanceOf(GambiarraHub.HubStartException.class)
                    .hasMessageContaining("bind")
                    .hasMessageNotContaining("TLS");
        }
    }
}
