package io.github.gambiarra.protocol;

import java.util.Locale;

/**
 * Who may answer a request: what a client puts in an OpenAI request's {@code model} field when it
 * talks to a room. There are three forms, and this type is the one place that reads and writes them
 * (the hub routes by it; the SDK, the Spring starters and the CLI build it):
 *
 * <ul>
 *   <li>{@code *} or {@code any}: {@link Anyone}, any online participant;
 *   <li>{@code model:NAME}: {@link Model}, a participant serving that model ({@link ModelNames#same});
 *   <li>anything else: {@link Named}, the participant with that id, or, when there is none, a
 *       participant serving a model of that name.
 * </ul>
 *
 * <p>Anyone and Model are <em>pooled</em>: the hub chooses among several participants, and may move a
 * request that one of them could not answer to another.
 */
public sealed interface Target permits Target.Anyone, Target.Model, Target.Named {

    /** The prefix of the model form. */
    String MODEL_PREFIX = "model:";

    /** Any online participant. */
    record Anyone() implements Target {
        @Override
        public String wire() {
            return "*";
        }
    }

    /** A participant serving {@code name}. */
    record Model(String name) implements Target {
        public Model {
            name = text(name, "model name");
        }

        @Override
        public String wire() {
            return MODEL_PREFIX + name;
        }
    }

    /** The participant with id {@code id}; failing that, one serving a model named {@code id}. */
    record Named(String id) implements Target {
        public Named {
            id = text(id, "participant id");
        }

        @Override
        public String wire() {
            return id;
        }
    }

    /** Any online participant ({@code *}). */
    static Target anyone() {
        return new Anyone();
    }

    /** A participant serving {@code name} ({@code model:NAME}). */
    static Target model(String name) {
        return new Model(name);
    }

    /** The participant {@code id}. */
    static Target participant(String id) {
        return new Named(id);
    }

    /**
     * Reads a request's {@code model} field. Surrounding blanks are ignored; {@code any} is read in any
     * case; an empty {@code model:} names no model.
     *
     * @throws IllegalArgumentException when {@code model} is null or blank, or {@code model:} names nothing
     */
    static Target parse(String model) {
        String key = text(model, "route");
        if (key.equals("*") || key.toLowerCase(Locale.ROOT).equals("any")) {
            return new Anyone();
        }
        if (key.startsWith(MODEL_PREFIX)) {
            String name = key.substring(MODEL_PREFIX.length()).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'model:' must be followed by a model name, as in model:llama3");
            }
            return new Model(name);
        }
        return new Named(key);
    }

    /** What goes in the request's {@code model} field. */
    String wire();

    /** Whether the hub chooses among several participants (and may fail over between them). */
    default boolean pooled() {
        return !(this instanceof Named);
    }

    private static String text(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a " + what + " must not be blank");
        }
        return value.trim();
    }
}
