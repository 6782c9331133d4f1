package io.github.gambiarra.cli;

import io.github.gambiarra.client.LlmServerProbe;
import io.github.gambiarra.protocol.ModelNames;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;

/**
 * Which of a server's models to share: the one asked for (matched the way the hub matches names),
 * the only one there is, or, at a terminal, the one the user picks from a numbered list.
 */
final class ModelChooser {
    private final BufferedReader terminal;
    private final PrintWriter out;

    /**
     * @param terminal where the user answers, or null when there is no terminal to ask at
     */
    ModelChooser(BufferedReader terminal, PrintWriter out) {
        this.terminal = terminal;
        this.out = out;
    }

    /**
     * @param wanted the model asked for with {@code --model}, or null
     * @throws IllegalStateException when no model can be chosen; the message says what to do
     */
    String choose(LlmServerProbe.Found server, String wanted) throws IOException {
        List<String> models = server.models();
        if (wanted != null) {
            if (models.isEmpty()) {
                return wanted;
            }
            return models.stream().filter(m -> ModelNames.same(m, wanted)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("model '" + wanted + "' is not served by "
                            + server.endpoint() + "; it serves: " + String.join(", ", models)));
        }
        if (models.size() == 1) {
            return models.get(0);
        }
        if (models.isEmpty()) {
            throw new IllegalStateException(server.endpoint() + " lists no models; name one with --model");
        }
        if (terminal == null) {
            throw new IllegalStateException(server.endpoint() + " serves several models; choose one with --model: "
                    + String.join(", ", models));
        }
        out.println("Which model do you want to share?");
        for (int i = 0; i < models.size(); i++) {
            out.println("  " + (i + 1) + ") " + models.get(i));
        }
        out.print("Number [1]: ");
        out.flush();
        String answer = terminal.readLine();
        if (answer == null || answer.isBlank()) {
            return models.get(0);
        }
        int choice;
        try {
            choice = Integer.parseInt(answer.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("'" + answer.trim() + "' is not one of the numbers 1 to " + models.size());
        }
        if (choice < 1 || choice > models.size()) {
            throw new IllegalStateException("no model number " + choice + " (1 to " + models.size() + ")");
        }
        return models.get(choice - 1);
    }
}
