package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.gambiarra.protocol.ErrorCode;
import io.github.gambiarra.protocol.HubEvent;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/hub-api.md, the protocol reference, cannot drift from the hub: every endpoint it documents
 * is one the hub serves, its error-code table is the {@link ErrorCode} enum, and its event table
 * is {@link HubEvent} with each record's fields.
 */
class HubApiDocTest {
    private static final Pattern CODE_ROW = Pattern.compile("^\\| `([a-z_]+)` \\| (\\d{3}) \\| `([a-z_]+)` \\|",
            Pattern.MULTILINE);
    private static final Pattern EVENT_ROW = Pattern.compile("^\\| `([a-z:]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);

    private static String doc() throws java.io.IOException {
        return Files.readString(Path.of("..", "docs", "hub-api.md"));
    }

    /** The text of the section with this heading, up to the next heading of the same level or higher. */
    private static String section(String heading) throws java.io.IOException {
        String doc = doc();
        int start = doc.indexOf("\n" + heading + "\n");
        assertThat(start).as("section " + heading).isNotNegative();
        int level = heading.indexOf(' ');
        Matcher next = Pattern.compile("\n#{1," + level + "} ").matcher(doc);
        return doc.substring(start, next.find(start + heading.length()) ? next.start() : doc.length());
    }

    @Test
    void theErrorCodeTableIsTheErrorCodeEnum() throws Exception {
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = CODE_ROW.matcher(section("### Error codes"));
        while (m.find()) {
            documented.put(m.group(1), m.group(2) + " " + m.group(3));
        }
        Map<String, String> enumerated = new LinkedHashMap<>();
        for (ErrorCode code : ErrorCode.values()) {
            enumerated.put(code.wire(), code.status() + " " + code.openAiType());
        }
        assertThat(documented).isEqualTo(enumerated);
    }

    @Test
    void theEventTableIsHubEventWithEachRecordsFields() throws Exception {
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = EVENT_ROW.matcher(section("## Events"));
        while (m.find()) {
            documented.put(m.group(1), m.group(2).trim());
        }
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(
                HubEvent.all().stream().map(HubEvent::name).toList());
        for (HubEvent<?> event : HubEvent.all()) {
            String data = documented.get(event.name());
            Class<?> record = event.dataType();
            if (data.startsWith("`{")) {
                List<String> fields = new ArrayList<>();
                Matcher f = Pattern.compile("\"(\\w+)\"").matcher(data);
                while (f.find()) {
                    fields.add(f.group(1));
                }
                assertThat(fields).as(event.name()).containsExactlyElementsOf(
                        Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList());
            } else {
                assertThat(data).as(event.name()).isEqualTo(record.getSimpleName());
            }
        }
    }
    private static final Pattern ENDPOINT = Pattern.compile("^##+ `(GET|POST|DELETE) (/[^`]*)`", Pattern.MULTILINE);

    @Test
    void everyDocumentedEndpointIsServed() throws Exception {
        String doc = doc();
        List<String[]> endpoints = new ArrayList<>();
        Matcher m = ENDPOINT.matcher(doc);
        while (m.find()) {
            endpoints.add(new String[] {m.group(1), m.group(2)});
        }
        assertThat(endpoints).hasSizeGreaterThanOrEqualTo(11);
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback())) {
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
