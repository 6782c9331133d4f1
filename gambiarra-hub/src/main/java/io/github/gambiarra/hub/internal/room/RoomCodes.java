package io.github.gambiarra.hub.internal.room;

import java.security.SecureRandom;
import java.util.Locale;

/** Makes and normalises the 6-character room codes people type. */
public final class RoomCodes {
    static final int LENGTH = 6;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private final SecureRandom random = new SecureRandom();

    /** A fresh random code; the registry retries on the (rare) collision. */
    public String next() {
        char[] code = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            code[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(code);
    }

    /** Codes are looked up case-insensitively: {@code abc123} names room {@code ABC123}. */
    public static String normalise(String code) {
        return code == null ? "" : code.trim().toUpperCase(Locale.ROOT);
    }
}
