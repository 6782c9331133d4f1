package io.github.gambiarra.cli.monitor;

import io.github.gambiarra.cli.Launcher;
import io.github.gambiarra.protocol.MachineSpecs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/** Draws the {@link MonitorModel} into lines of a given size: a pure function, tested without a terminal. */
public final class MonitorScreen {
    private static final AttributedStyle BOLD = AttributedStyle.BOLD;
    private static final AttributedStyle DIM = AttributedStyle.DEFAULT.faint();
    private static final AttributedStyle GREEN = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    private static final AttributedStyle YELLOW = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
    private static final AttributedStyle RED = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);
    private static final AttributedStyle TAB = AttributedStyle.DEFAULT.inverse();

    private MonitorScreen() {
    }

    public static List<AttributedString> render(MonitorModel model, String hubUrl, int width, int height) {
        List<AttributedString> lines = new ArrayList<>();
        lines.add(new AttributedStringBuilder().style(BOLD).append(" Gambiarra monitor ").style(DIM)
                .append(" " + hubUrl).toAttributedString());
        lines.add(tabsLine(model));
        MonitorModel.Tab tab = model.selectedTab();
        if (tab == null) {
            lines.add(new AttributedString(" No rooms yet. Press a to add a room by code, or create one: " + Launcher.command() + " create --name NAME"));
        } else {
            lines.add(connectionLine(tab));
            List<MonitorModel.Card> cards = tab.cards();
            String why = why(tab);
            if (why != null) {
                lines.add(new AttributedStringBuilder().style(YELLOW).append(" " + why).toAttributedString());
            } else if (cards.isEmpty() && tab.connection() == MonitorModel.Connection.LIVE) {
                lines.add(new AttributedString(" Nobody in this room yet. Share a model: " + Launcher.command() + " join "
                        + tab.code() + (model.passwordGiven() ? " --password ..." : "")));
            }
            for (MonitorModel.Card card : cards) {
                lines.addAll(card(card, model.expanded()));
            }
        }
        lines.add(new AttributedStringBuilder().style(BOLD).append(" Activity").toAttributedString());
        int footer = 1;
        int room = Math.max(0, height - lines.size() - footer);
        List<String> log = model.log();
        for (int i = 0; i < Math.min(room, log.size()); i++) {
            lines.add(new AttributedString("  " + log.get(i)));
        }
        while (lines.size() < height - footer) {
            lines.add(AttributedString.EMPTY);
        }
        lines.add(footer(model));
        List<AttributedString> clipped = new ArrayList<>();
        for (AttributedString line : lines.subList(0, Math.min(lines.size(), height))) {
            clipped.add(line.columnSubSequence(0, Math.min(width, line.columnLength())));
        }
        return clipped;
    }

    /** What keeps a room from showing: said in full, with the fix, rather than as an empty room. */
    private static String why(MonitorModel.Tab tab) {
        return switch (tab.connection()) {
            case NOT_ON_HUB -> "Room " + tab.code() + " is not on this hub (deleted, expired, or a typo): "
                    + Launcher.command() + " list shows the hub's rooms";
            case PASSWORD_NEEDED -> "Room " + tab.code() + " is protected: start the monitor with --password PASSWORD";
            case WRONG_PASSWORD -> "Wrong password for room " + tab.code() + ": check the --password you gave";
            default -> null;
        };
    }

    private static AttributedString tabsLine(MonitorModel model) {
        AttributedStringBuilder b = new AttributedStringBuilder().append(" ");
        MonitorModel.Tab selected = model.selectedTab();
        for (MonitorModel.Tab tab : model.tabs()) {
            b.style(tab == selected ? TAB : AttributedStyle.DEFAULT).append(" " + model.title(tab) + " ")
                    .style(AttributedStyle.DEFAULT).append(" ");
        }
        return b.toAttributedString();
    }

    private static AttributedString connectionLine(MonitorModel.Tab tab) {
        AttributedStringBuilder b = new AttributedStringBuilder().append(" ");
        switch (tab.connection()) {
            case LIVE -> b.style(GREEN).append("● live");
            case CONNECTING -> b.style(YELLOW).append("○ connecting…");
            case RECONNECTING -> b.style(RED).append("○ reconnecting…");
            case NOT_ON_HUB -> b.style(RED).append("○ not on this hub");
            case PASSWORD_NEEDED -> b.style(RED).append("○ needs its password");
            case WRONG_PASSWORD -> b.style(RED).append("○ wrong password");
        }
        long online = tab.cards().stream().filter(c -> !"offline".equals(c.status)).count();
        return b.style(DIM).append("   " + tab.cards().size() + " participant(s), " + online + " online")
                .toAttributedString();
    }

    private static List<AttributedString> card(MonitorModel.Card c, boolean expanded) {
        AttributedStyle color = switch (c.status == null ? "online" : c.status) {
            case "busy" -> YELLOW;
            case "offline" -> RED;
            default -> GREEN;
        };
        AttributedStringBuilder b = new AttributedStringBuilder().append(" ")
                .style(color).append("● " + pad(c.status, 7)).style(BOLD).append(" " + pad(c.nickname, 16))
                .style(AttributedStyle.DEFAULT).append(" " + pad(c.model, 24))
                .append(" in flight " + c.inFlight)
                .append(c.lastTtftMs == null ? "" : "  ttft " + c.lastTtftMs + " ms")
                .append(c.lastTokensPerSecond == null ? "" : String.format(Locale.ROOT, "  %.1f tok/s", c.lastTokensPerSecond));
        List<AttributedString> lines = new ArrayList<>();
        lines.add(b.toAttributedString());
        if (expanded) {
            lines.add(new AttributedStringBuilder().style(DIM).append("     id " + c.id + "   requests " + c.requests
                    + "   failures " + c.failures).toAttributedString());
            lines.add(new AttributedStringBuilder().style(DIM).append("     " + specs(c.specs)).toAttributedString());
        }
        return lines;
    }

    static String specs(MachineSpecs s) {
        if (s == null) {
            return "machine: not shared";
        }
        List<String> parts = new ArrayList<>();
        if (s.gpu() != null) {
            parts.add(s.gpu() + (s.vram() == null ? "" : " " + s.vram() + " GB"));
        }
        if (s.cpu() != null) {
            parts.add(s.cpu());
        }
        if (s.ram() != null) {
            parts.add(s.ram() + " GB RAM");
        }
        return parts.isEmpty() ? "machine: not shared" : String.join(" · ", parts);
    }

    private static AttributedString footer(MonitorModel model) {
        if (model.input() != null) {
            return new AttributedStringBuilder().style(BOLD).append(" Room code: ").style(AttributedStyle.DEFAULT)
                    .append(model.input() + "_").style(DIM).append("   Enter to add, Esc to cancel").toAttributedString();
        }
        String notice = model.notice() == null ? "" : "   " + model.notice();
        return new AttributedStringBuilder().style(DIM)
                .append(" Tab next room · a add room · r refresh · e expand · q quit").style(YELLOW).append(notice)
                .toAttributedString();
    }

    private static String pad(String s, int width) {
        String v = s == null ? "" : s;
        return v.length() >= width ? v.substring(0, width) : v + " ".repeat(width - v.length());
    }
}
