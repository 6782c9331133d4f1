package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/hub-api.md cannot drift from the hub: every endpoint it documents is one the hub serves. */
class HubApiDocTest {
    private static final Pattern ENDPOINT = Pattern.compile("^##+ `(GET|POST|DELETE) (/[^`]*)`", Pattern.MULTILINE);

    @Test
    void everyDocumentedEndpointIsServed() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "hub-api.md"));
        List<String[]> endpoints = new ArrayList<>();
        Matcher m = ENDPOINT.matcher(doc);
        while (m.find()) {
            endpoints.add(new String[] {m.group(1), m.group(2)});
        }
        assertThat(endpoints).hasSizeGreaterThanOrEqualTo(11);
        try (GambiarraHub hub = GambiarraHub.start(new HubOptions().host("127.0.0.1").port(0))) {
            HubClient client = new HubClient(hub.url());
            String code = client.createRoom("Doc");
            for (String[] e : endpoints) {
                String path = e[1].replace("{code}", code).replace("{participantId}", "nobody");
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hub.url() + path));
                request = switch (e[0]) {
                    case "POST" -> request.header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{}"));
                    case "DELETE" -> request.DELETE();
                    default -> request.GET();
                };
                HttpResponse<InputStream> r = client.http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                boolean stream = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
                // An event stream never ends: its status and type say enough.
                String body = stream ? "" : new String(r.body().readAllBytes());
                r.body().close();
                // A documented route answers with its own success or error, never the router's "Not found" or 405.
                assertThat(r.statusCode()).as(e[0] + " " + e[1]).isNotEqualTo(405);
                assertThat(body).as(e[0] + " " + e[1]).doesNotContain("\"Not found\"");
            }
        }
    }
}
