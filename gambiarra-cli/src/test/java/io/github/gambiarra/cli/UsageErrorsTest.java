package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every command answers a usage mistake with one line on stderr and exit code 2, before touching a hub. */
class UsageErrorsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "create                                | --name",
            "join                                  | a room code is required",
            "join ABC123 --gguf x.gguf --endpoint http://localhost:1 | cannot be combined",
            "serve --port 70000                    | port",
            "serve --health-interval soon          | soon",
            "serve --tls-cert a.pem                | --tls-key",
            "serve --routing fast                  | 'fast' is not a routing policy: use fastest, least-busy, random",
            "chat                                  | CODE",
            "list --no-such-option                 | --no-such-option",
            "fake-llm --port -3                    | --port",
            "demo --max-tokens 0                   | --max-tokens",
    })
    void aUsageMistakeIsOneLineAndExitCodeTwo(String command, String mentioned) {
        CliRun r = CliRun.run(command.trim().split("\\s+"));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").contains(mentioned.trim()).contains("--help");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "create --nmae Team                    | unknown option '--nmae': did you mean '--name'?",
            "creat --name Team                     | unknown command 'creat': did you mean 'create'?",
            "chat ABC123 --modle fake hi           | unknown option '--modle': did you mean '--model'?",
            "join ABC123 --endpiont x              | unknown option '--endpiont': did you mean '--endpoint'?",
    })
    void aTypoIsNamedBeforeAnythingMissingWithWhatWasMeant(String command, String said) {
        CliRun r = CliRun.run(command.trim().split("\\s+"));
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("error: " + said.trim()).doesNotContain("Missing required");
    }
}
