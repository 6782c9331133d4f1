package io.github.gambiarra.cli;

import io.github.gambiarra.client.GambiarraException;
import io.github.gambiarra.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the CLI says when something goes wrong, in its own words: the cause, and the fix as a flag
 * or a command that can be pasted. The hub client's messages speak to Java programmers; here the
 * error's code (never its text) decides what a person at a terminal is told.
 */
final class CliErrors {
    private CliErrors() {
    }

    /** The line for a failure of a command, by the hub's error code; the failure's own message otherwise. */
    static String explain(Throwable failure) {
        GambiarraException hub = find(failure);
        if (hub == null) {
            return failure.getMessage() == null ? failure.toString() : failure.getMessage();
        }
        String cli = Launcher.command();
        String room = hub.roomCode() == null ? "the room" : "room " + hub.roomCode().toUpperCase(Locale.ROOT);
        String at = hub.hubUrl() == null ? "" : " on " + hub.hubUrl();
        if (hub instanceof GambiarraException.HubUnreachableException) {
            return "cannot reach the hub" + (hub.hubUrl() == null ? "" : " at " + hub.hubUrl())
                    + ": is `" + cli + " serve` running there? (another hub: --hub URL)";
        }
        ErrorCode code = hub.errorCode().orElse(null);
        if (code == null) {
            return hub.getMessage();
        }
        return switch (code) {
            case PASSWORD_REQUIRED -> room + at + " is protected: give its password with --password";
            case INVALID_PASSWORD -> "wrong password for " + room + at + ": check it, and give it with --password";
            case ROOM_NOT_FOUND -> room + " is not on the hub" + (hub.hubUrl() == null ? "" : " at " + hub.hubUrl())
                    + " (deleted, expired, or a typo): see the hub's rooms with `" + cli + " list`";
            case MODEL_NOT_FOUND -> (hub.hubMessage() != null ? hub.hubMessage() : "nobody in " + room + " can answer")
                    + ": see who is there with `" + cli + " list "
                    + (hub.roomCode() == null ? "CODE" : hub.roomCode().toUpperCase(Locale.ROOT)) + "`";
            case CREATE_PASSWORD_REQUIRED -> "the hub" + at + " lets only those with its creation password create "
                    + "rooms: give it with --create-password";
            case INVALID_CREATE_PASSWORD -> "wrong creation password for the hub" + at + ": check --create-password";
            default -> hub.getMessage();
        };
    }

    private static GambiarraException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof GambiarraException g) {
                return g;
            }
        }
        return null;
    }

    /**
     * The line for a usage mistake. An unknown command or option is named before anything missing (a
     * typo is usually why the real option seems missing), with picocli's guess of what was meant.
     */
    static String usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine where = ex.getCommandLine();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            return unknown(where, unmatched.getUnmatched());
        }
        if (ex instanceof CommandLine.MissingParameterException) {
            List<String> strangers = unknownOptions(where.getCommandSpec(), args);
            if (!strangers.isEmpty()) {
                return unknown(where, strangers);
            }
        }
        return ex.getMessage();
    }

    private static String unknown(CommandLine where, List<String> what) {
        String first = what.isEmpty() ? "?" : what.get(0);
        String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        boolean option = name.startsWith("-");
        boolean command = !option && !where.getSubcommands().isEmpty();
        String line = (option ? "unknown option '" : command ? "unknown command '" : "unexpected argument '")
                + name + "'";
        List<String> known = option ? where.getCommandSpec().options().stream()
                .flatMap(o -> Arrays.stream(o.names())).toList()
                : command ? List.copyOf(where.getSubcommands().keySet()) : List.of();
        List<String> meant = closest(name, known);
        if (!meant.isEmpty()) {
            line += ": did you mean " + String.join(" or ", meant.stream().map(s -> "'" + s + "'").toList()) + "?";
        }
        return line;
    }

    /** The names {@code typed} is a typo of: the nearest by edits (two at most), nearest first. */
    static List<String> closest(String typed, List<String> names) {
        int best = Integer.MAX_VALUE;
        List<String> nearest = new ArrayList<>();
        for (String name : names) {
            int d = edits(typed.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
            if (d < best) {
                best = d;
                nearest.clear();
            }
            if (d == best && !nearest.contains(name)) {
                nearest.add(name);
            }
        }
        return best <= Math.min(2, Math.max(1, typed.length() / 3)) ? nearest : List.of();
    }

    /** Edits (insert, delete, change, swap of two neighbours) that turn {@code a} into {@code b}. */
    private static int edits(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The words of {@code args} that look like options of {@code spec} but are none. */
    private static List<String> unknownOptions(CommandSpec spec, String[] args) {
        List<String> unknown = new ArrayList<>();
        boolean inCommand = spec.parent() == null;
        for (String arg : args) {
            if (!inCommand) {
                // Options before the subcommand's own name belong to its parent.
                inCommand = spec.names().contains(arg);
                continue;
            }
            if (arg.equals("--")) {
                break;
            }
            if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) {
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                OptionSpec known = spec.findOption(name);
                if (known == null) {
                    unknown.add(name);
                }
            }
        }
        return unknown;
    }

    private static boolean isNumber(String arg) {
        try {
            Double.parseDouble(arg);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
