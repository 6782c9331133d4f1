package io.github.gambiarra.llama;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The scalar key-values at the start of a GGUF file (architecture, context length, pooling type,
 * ...), read without loading the model: the header and key-value section only, skipping arrays
 * such as the tokenizer's vocabulary. Strings, integers, floats and booleans are kept; arrays are
 * not.
 */
final class GgufMetadata {
    private static final int MAGIC = 0x46554747; // "GGUF" as a little-endian u32
    private static final int MAX_KEYS = 1 << 16;
    private static final long MAX_STRING = 1 << 24;

    private final Map<String, Object> values;

    private GgufMetadata(Map<String, Object> values) {
        this.values = values;
    }

    /** Reads the key-values of {@code file}. */
    static GgufMetadata read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (Integer.reverseBytes(in.readInt()) != MAGIC) {
                throw new IOException(file + " is not a GGUF file");
            }
            int version = Integer.reverseBytes(in.readInt());
            if (version < 2) {
                throw new IOException(file + " is GGUF version " + version + ", older than this reader knows");
            }
            u64(in); // tensor count
            long keys = u64(in);
            if (keys < 0 || keys > MAX_KEYS) {
                throw new IOException(file + " claims " + keys + " metadata keys");
            }
            Map<String, Object> values = new HashMap<>();
            for (long i = 0; i < keys; i++) {
                String key = string(in);
                int type = Integer.reverseBytes(in.readInt());
                Object value = value(in, type);
                if (value != null) {
                    values.put(key, value);
                }
            }
            return new GgufMetadata(values);
        } catch (EOFException e) {
            throw new IOException(file + " ends inside its metadata", e);
        }
    }

    /** The value of {@code key}, or null (absent, or an array). */
    Object get(String key) {
        return values.get(key);
    }

    /** {@code general.architecture}, e.g. {@code llama}, {@code nomic-bert}; null if absent. */
    String architecture() {
        Object a = values.get("general.architecture");
        return a instanceof String s ? s : null;
    }

    /** {@code <architecture>.pooling_type} (0 none, 1 mean, 2 cls, 3 last, 4 rank), or -1 when the model does not say. */
    int poolingType() {
        String arch = architecture();
        Object p = arch == null ? null : values.get(arch + ".pooling_type");
        return p instanceof Number n ? n.intValue() : -1;
    }

    private static long u64(DataInputStream in) throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    private static String string(DataInputStream in) throws IOException {
        long length = u64(in);
        if (length < 0 || length > MAX_STRING) {
            throw new IOException("a GGUF string of " + length + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads one value of {@code type}; returns it for scalars and strings, null for arrays (skipped). */
    private static Object value(DataInputStream in, int type) throws IOException {
        switch (type) {
            case 0: return (long) in.readUnsignedByte();                         // uint8
            case 1: return (long) in.readByte();                                 // int8
            case 2: return (long) Short.toUnsignedInt(Short.reverseBytes(in.readShort())); // uint16
            case 3: return (long) Short.reverseBytes(in.readShort());            // int16
            case 4: return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt())); // uint32
            case 5: return (long) Integer.reverseBytes(in.readInt());            // int32
            case 6: return (double) Float.intBitsToFloat(Integer.reverseBytes(in.readInt())); // float32
            case 7: return in.readUnsignedByte() != 0;                           // bool
            case 8: return string(in);                                           // string
            case 9: {                                                             // array
                int itemType = Integer.reverseBytes(in.readInt());
                long count = u64(in);
                if (count < 0) {
                    throw new IOException("a GGUF array of " + count + " items");
                }
                int width = width(itemType);
                if (width > 0) {
                    skip(in, count * width);
                } else {
                    for (long i = 0; i < count; i++) {
                        value(in, itemType);
                    }
                }
                return null;
            }
            case 10: return u64(in);                                             // uint64
            case 11: return u64(in);                                             // int64
            case 12: return Double.longBitsToDouble(u64(in));                    // float64
            default: throw new IOException("unknown GGUF value type " + type);
        }
    }

    private static int width(int type) {
        return switch (type) {
            case 0, 1, 7 -> 1;
            case 2, 3 -> 2;
            case 4, 5, 6 -> 4;
            case 10, 11, 12 -> 8;
            default -> 0;
        };
    }

    private static void skip(DataInputStream in, long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
