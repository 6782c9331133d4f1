package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A command called by name is built alone, and is the same command it is in the whole tree. */
class CommandTreeTest {
    static final Set<String> ALL = Set.of("demo", "serve", "create", "list", "ls", "join", "delete", "chat", "monitor",
            "fake-llm", "generate-completion", "help");

    @Test
    void theWholeTreeHasEveryCommand() {
        assertThat(GambiarraCli.commandLine().getSubcommands().keySet()).containsExactlyInAnyOrderElementsOf(ALL);
        for (String[] args : new String[][] {{}, {"help"}, {"generate-completion"}, {"lst"}, {"--help"}}) {
            assertThat(GambiarraCli.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args))
                    .containsExactlyInAnyOrderElementsOf(ALL);
        }
    }

    @Test
    void aCommandCalledByNameIsBuiltAloneAndReadsAsInTheWholeTree() {
        CommandLine whole = GambiarraCli.commandLine();
        for (String name : new String[] {"demo", "serve", "create", "list", "join", "delete", "chat", "monitor",
                "fake-llm"}) {
            CommandLine alone = GambiarraCli.commandLine(new String[] {name, "--help"});
            assertThat(alone.getSubcommands().values().stream().map(CommandLine::getCommandName).distinct().toList())
                    .as(name).containsExactly(name);
            assertThat(alone.getSubcommands().get(name).getUsageMessage()).as(name)
                    .isEqualTo(whole.getSubcommands().get(name).getUsageMessage());
        }
        assertThat(GambiarraCli.commandLine(new String[] {"ls"}).getSubcommands().keySet())
                .containsExactlyInAnyOrder("list", "ls");
    }

    @Test
    void aCommandBuiltAloneReportsAMistypedOptionAsInTheWholeTree() {
        String[] args = {"create", "--nmae", "Lab"};
        for (CommandLine cli : new CommandLine[] {GambiarraCli.commandLine(args), GambiarraCli.commandLine()}) {
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err));
            assertThat(cli.execute(args)).isEqualTo(2);
            assertThat(err.toString()).contains("unknown option '--nmae': did you mean '--name'?");
        }
    }
}
