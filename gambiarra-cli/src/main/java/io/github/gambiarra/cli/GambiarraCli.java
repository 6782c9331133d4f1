package io.github.gambiarra.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gambiarra} command: pool the local LLMs of everyone on your network. */
@Command(name = "gambiarra",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Share local LLMs (Ollama, LM Studio, llama.cpp, vLLM, ...) with everyone on your network.",
        subcommands = {DemoCommand.class, ServeCommand.class, CreateCommand.class, ListCommand.class, JoinCommand.class,
                DeleteCommand.class,
                ChatCommand.class, io.github.gambiarra.cli.monitor.MonitorCommand.class, FakeLlmCommand.class, picocli.AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
        footer = {"", "Try it:      gambiarra demo   (hub, room and a tiny model; nothing to install)",
                "Start with:  gambiarra serve --mdns", "Then:       gambiarra create --name \"My room\"",
                "Completion: source <(gambiarra generate-completion)"})
public final class GambiarraCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line set up the way every entry point (main, tests) uses it. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new GambiarraCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // A usage error is one line (what is wrong, where to read more) and exit code 2, not the whole usage text.
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine where = ex.getCommandLine();
            where.getErr().println("error: " + ex.getMessage() + " (see '" + where.getCommandSpec().qualifiedName()
                    + " --help')");
            return where.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        // SLF4J binds its provider on first use; first use from several threads at once (mDNS, OkHttp)
        // makes it print a replay warning. Bind it here, on one thread, before anything starts.
        org.slf4j.LoggerFactory.getILoggerFactory();
        System.exit(commandLine().execute(args));
    }
}
