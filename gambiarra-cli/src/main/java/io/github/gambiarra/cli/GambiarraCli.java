package io.github.gambiarra.cli;

import io.github.gambiarra.cli.monitor.MonitorCommand;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gambiarra} command: pool the local LLMs of everyone on your network. */
@Command(name = "gambiarra",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Share local LLMs (Ollama, LM Studio, llama.cpp, vLLM, ...) with everyone on your network.",
        footer = {"", "Try it:      ${sys:gambiarra.launcher:-gambiarra} demo   (hub, room and a tiny model; nothing to install)",
                "Start with:  ${sys:gambiarra.launcher:-gambiarra} serve --mdns", "Then:       ${sys:gambiarra.launcher:-gambiarra} create --name \"My room\"",
                "Completion: source <(${sys:gambiarra.launcher:-gambiarra} generate-completion)"})
public final class GambiarraCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The subcommands, in the order help lists them, each with the names it is called by. */
    private static final List<Subcommand> SUBCOMMANDS = List.of(
            new Subcommand(List.of("demo"), DemoCommand::new),
            new Subcommand(List.of("serve"), ServeCommand::new),
            new Subcommand(List.of("create"), CreateCommand::new),
            new Subcommand(List.of("list", "ls"), ListCommand::new),
            new Subcommand(List.of("join"), JoinCommand::new),
            new Subcommand(List.of("delete"), DeleteCommand::new),
            new Subcommand(List.of("chat"), ChatCommand::new),
            new Subcommand(List.of("monitor"), MonitorCommand::new),
            new Subcommand(List.of("fake-llm"), FakeLlmCommand::new),
            new Subcommand(List.of("generate-completion"), AutoComplete.GenerateCompletion::new),
            new Subcommand(List.of("help"), CommandLine.HelpCommand::new));

    /** Names that need the whole tree even when called by name: they describe the other commands. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "generate-completion");

    private record Subcommand(List<String> names, Supplier<Object> make) {
    }

    /** A command line set up the way every entry point (main, tests) uses it, with every command. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when the first word is exactly a command's name, only that
     * command is built (picocli reads each command's annotations when it is added: a quarter of a
     * second for all of them, before a short command has done anything); otherwise every command,
     * for help, completion and "did you mean".
     */
    static CommandLine commandLine(String[] args) {
        // Help texts name the command as it was launched (${sys:gambiarra.launcher}), so examples paste.
        if (System.getProperty(Launcher.PROPERTY) == null) {
            System.setProperty(Launcher.PROPERTY, Launcher.command());
        }
        String first = args.length == 0 || WHOLE_TREE.contains(args[0]) ? null : args[0];
        boolean named = first != null && SUBCOMMANDS.stream().anyMatch(c -> c.names().contains(first));
        CommandLine cli = new CommandLine(new GambiarraCli());
        for (Subcommand c : SUBCOMMANDS) {
            if (!named || c.names().contains(first)) {
                cli.addSubcommand(c.make().get());
            }
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // A usage error is one line (what is wrong, where to read more) and exit code 2, not the whole usage text.
        cli.setParameterExceptionHandler((ex, given) -> {
            CommandLine where = ex.getCommandLine();
            String help = Launcher.command() + where.getCommandSpec().qualifiedName().replaceFirst("^gambiarra", "");
            where.getErr().println("error: " + CliErrors.usage(ex, given) + " (see '" + help + " --help')");
            return where.getCommandSpec().exitCodeOnInvalidInput();
        });
        // What failed, in the CLI's words and with the fix as a flag, from the error's code.
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + CliErrors.explain(ex));
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Asked most often, and needs neither the command tree nor logging: said at once.
            for (String line : new VersionProvider().getVersion()) {
                System.out.println(line);
            }
            return;
        }
        // Netty tracks one buffer in 128 for its leak reports, a stack trace each: measured at 6 % of
        // a tunnel participant's CPU. Off in the CLI unless asked for (-Dio.netty.leakDetection.level=simple).
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        // SLF4J binds its provider on first use; first use from several threads at once (mDNS, OkHttp)
        // makes it print a replay warning. Bind it here, on one thread, before anything starts.
        LoggerFactory.getILoggerFactory();
        System.exit(commandLine(args).execute(args));
    }
}
