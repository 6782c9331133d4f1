package io.github.gambiarra.hub.internal.room;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Room host tokens: random secrets handed to a room's creator, kept only as SHA-256 hashes. A plain
 * hash is enough here (unlike room passwords): the tokens are 256 random bits, not something a
 * person chose, so there is nothing to guess from a hash.
 */
public final class HostTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private HostTokens() {
    }

    /** A new token. */
    public static String create() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hash that is stored, hex. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
