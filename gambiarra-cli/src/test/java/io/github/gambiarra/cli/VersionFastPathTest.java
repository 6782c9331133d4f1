package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code gambiarra --version} answers before the command tree is built, and says what the tree would. */
class VersionFastPathTest {

    @Test
    void mainSaysWhatTheCommandTreeSays() {
        String viaTree = CliRun.run("--version").out();
        for (String flag : new String[] {"--version", "-V"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream saved = System.out;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                GambiarraCli.main(new String[] {flag});
            } finally {
                System.setOut(saved);
            }
            assertThat(out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n")).as(flag)
                    .isEqualTo(viaTree.replace("\r\n", "\n")).startsWith("gambiarra ");
        }
    }
}
