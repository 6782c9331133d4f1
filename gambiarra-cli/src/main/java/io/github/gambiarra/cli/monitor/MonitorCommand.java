package io.github.gambiarra.cli.monitor;

import io.github.gambiarra.cli.DurationConverter;
import io.github.gambiarra.cli.HubOption;
import io.github.gambiarra.cli.VersionProvider;
import io.github.gambiarra.client.GambiarraClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gambiarra monitor}: a live full-screen view of rooms, participants and traffic. */
@Command(name = "monitor", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Watch rooms live: participants, their health and load, and every request.",
                "Keys: Tab next room, a add a room by code, r refresh, e expand cards, q quit."},
        footer = {"", "Examples:",
                "  ${sys:gambiarra.launcher:-gambiarra} monitor                # every room, and new ones as they appear",
                "  ${sys:gambiarra.launcher:-gambiarra} monitor ABC123 XYZ789"})
public final class MonitorCommand implements Callable<Integer> {
    @Mixin
    HubOption hub;

    @Parameters(arity = "0..*", paramLabel = "CODE", description = "Rooms to watch (default: all).")
    List<String> codes;

    @Option(names = {"-p", "--password"}, description = "Password for protected rooms.")
    String password;

    @Option(names = "--retry", defaultValue = "2s", converter = DurationConverter.class, hidden = true,
            description = "Pause before reconnecting to a hub that went away (default: ${DEFAULT-VALUE}).")
    Duration retry;

    @Override
    public Integer call() throws Exception {
        String hubUrl = hub.resolve(codes == null || codes.isEmpty() ? null : codes.get(0));
        MonitorModel model = new MonitorModel();
        AtomicBoolean dirty = new AtomicBoolean(true);
        model.passwordGiven(password != null);
        try (GambiarraClient client = GambiarraClient.builder().hubUrl(hubUrl).password(password).build();
             RoomWatcher watcher = new RoomWatcher(client, model, Clock.systemDefaultZone(), retry, () -> dirty.set(true));
             Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            if (codes == null || codes.isEmpty()) {
                watcher.watchWholeHub(Duration.ofSeconds(5));
            } else {
                codes.forEach(watcher::watch);
            }
            run(terminal, model, watcher, hubUrl, dirty);
        }
        return 0;
    }

    private static void run(Terminal terminal, MonitorModel model, RoomWatcher watcher, String hubUrl,
                            AtomicBoolean dirty) throws IOException {
        Attributes saved = terminal.enterRawMode();
        terminal.puts(Capability.enter_ca_mode);
        terminal.puts(Capability.keypad_xmit);
        terminal.puts(Capability.cursor_invisible);
        terminal.flush();
        Display display = new Display(terminal, true);
        Size size = terminal.getSize();
        display.resize(size.getRows(), size.getColumns());
        terminal.handle(Terminal.Signal.WINCH, signal -> dirty.set(true));
        NonBlockingReader reader = terminal.reader();
        try {
            long lastDraw = 0;
            while (true) {
                long now = System.currentTimeMillis();
                // Redraw on change, and once a second anyway (resizes, clock).
                if (dirty.getAndSet(false) || now - lastDraw > 1000) {
                    Size current = terminal.getSize();
                    int rows = Math.max(5, current.getRows());
                    int cols = Math.max(20, current.getColumns());
                    display.resize(rows, cols);
                    display.update(MonitorScreen.render(model, hubUrl, cols, rows), -1);
                    terminal.flush();
                    lastDraw = now;
                }
                int key = reader.read(100);
                if (key == NonBlockingReader.READ_EXPIRED) {
                    continue;
                }
                if (key < 0 || !onKey(key, model, watcher)) {
                    return;
                }
                dirty.set(true);
            }
        } finally {
            terminal.puts(Capability.cursor_visible);
            terminal.puts(Capability.keypad_local);
            terminal.puts(Capability.exit_ca_mode);
            terminal.flush();
            terminal.setAttributes(saved);
        }
    }

    /** Handles one key; false to quit. */
    static boolean onKey(int key, MonitorModel model, RoomWatcher watcher) {
        String input = model.input();
        if (input != null) {
            if (key == 27) {
                model.input(null);
            } else if (key == '\r' || key == '\n') {
                model.input(null);
                if (!input.isBlank()) {
                    watcher.watch(input);
                    model.select(input.trim().toUpperCase(java.util.Locale.ROOT));
                }
            } else if (key == 127 || key == 8) {
                model.input(input.isEmpty() ? input : input.substring(0, input.length() - 1));
            } else if (Character.isLetterOrDigit(key) && input.length() < 6) {
                model.input(input + Character.toUpperCase((char) key));
            }
            return true;
        }
        switch (key) {
            case 'q', 'Q', 3 -> {
                return false;
            }
            case '\t' -> model.nextTab();
            case 'a', 'A' -> model.input("");
            case 'r', 'R' -> watcher.refreshAll();
            case 'e', 'E' -> model.toggleExpanded();
            default -> {
                // other keys do nothing
            }
        }
        return true;
    }
}
