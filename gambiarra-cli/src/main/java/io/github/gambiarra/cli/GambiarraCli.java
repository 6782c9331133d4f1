package io.github.gambiarra.cli;

import io.github.gambiarra.cli.monitor.MonitorCommand;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gambiarra} command: pool the local LLMs of everyone on your network. */
@Command(name = "gambiarra",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Share local LLMs (Ollama, LM Studio, llama.cpp, vLLM, ...) with everyone on your network.",
        subcommands = {DemoCommand.class, ServeCommand.class, CreateCommand.class, ListCommand.class, JoinCommand.class,
                DeleteCommand.class,
                ChatCommand.class, MonitorCommand.class, FakeLlmCommand.class, AutoComplete.GenerateCompletion.class,
                CommandLine.HelpCommand.class},
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

    /** A command line set up the way every entry point (main, tests) uses it. */
    public static CommandLine commandLine() {
        // Help texts name the command as it was launched (${sys:gambiarra.launcher}), so examples paste.
        if (System.getProperty(Launcher.PROPERTY) == null) {
            System.setProperty(Launcher.PROPERTY, Launcher.command());
        }
        CommandLine cli = new CommandLine(new GambiarraCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // A usage error is one line (what is wrong, where to read more) and exit code 2, not the whole usage text.
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine where = ex.getCommandLine();
            String help = Launcher.command() + where.getCommandSpec().qualifiedName().replaceFirst("^gambiarra", "");
            where.getErr().println("error: " + CliErrors.usage(ex, args) + " (see '" + help + " --help')");
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
        // SLF4J binds its provider on first use; first use from several threads at once (mDNS, OkHttp)
        // makes it print a replay warning. Bind it here, on one thread, before anything starts.
        LoggerFactory.getILoggerFactory();
        System.exit(commandLine().execute(args));
    }
}
