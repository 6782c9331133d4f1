package io.github.gambiarra.llama;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a GGUF file (version 3): the header, metadata key/values, tensor infos and the tensor data,
 * each tensor aligned to {@value #ALIGNMENT} bytes. Only what a tiny F32 model needs: scalar, string
 * and array metadata, and F32 tensors whose values are produced as they are written (so a model of
 * hundreds of megabytes never sits in memory).
 *
 * <p>Format reference: the GGUF specification in the ggml repository ({@code docs/gguf.md}).
 */
final class GgufWriter {
    static final int ALIGNMENT = 32;
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    private static final int VERSION = 3;
    private static final int TYPE_UINT32 = 4;
    private static final int TYPE_INT32 = 5;
    private static final int TYPE_FLOAT32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;
    private static final int GGML_TYPE_F32 = 0;

    /** Produces element {@code i} of a tensor, in ggml order (the first dimension varies fastest). */
    @FunctionalInterface
    interface Values {
        float at(long i);
    }

    private record Tensor(String name, long[] dims, Values values) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final Out header = new Out();
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    GgufWriter u32(String key, long value) {
        key(key, TYPE_UINT32);
        header.i32((int) value);
        return this;
    }

    GgufWriter f32(String key, float value) {
        key(key, TYPE_FLOAT32);
        header.f32(value);
        return this;
    }

    GgufWriter bool(String key, boolean value) {
        key(key, TYPE_BOOL);
        header.u8(value ? 1 : 0);
        return this;
    }

    GgufWriter string(String key, String value) {
        key(key, TYPE_STRING);
        header.string(value);
        return this;
    }

    GgufWriter strings(String key, List<String> values) {
        key(key, TYPE_ARRAY);
        header.i32(TYPE_STRING);
        header.i64(values.size());
        values.forEach(header::string);
        return this;
    }

    GgufWriter f32s(String key, float[] values) {
        key(key, TYPE_ARRAY);
        header.i32(TYPE_FLOAT32);
        header.i64(values.length);
        for (float v : values) {
            header.f32(v);
        }
        return this;
    }

    GgufWriter i32s(String key, int[] values) {
        key(key, TYPE_ARRAY);
        header.i32(TYPE_INT32);
        header.i64(values.length);
        for (int v : values) {
            header.i32(v);
        }
        return this;
    }

    /** Adds an F32 tensor; {@code dims} in ggml order (innermost first). */
    GgufWriter tensor(String name, long[] dims, Values values) {
        tensors.add(new Tensor(name, dims.clone(), values));
        return this;
    }

    private void key(String key, int type) {
        header.string(key);
        header.i32(type);
        kvCount++;
    }

    /** Writes the file atomically: to a temporary file beside {@code target}, then moved into place. */
    void write(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                Out head = new Out();
                head.i32(MAGIC);
                head.i32(VERSION);
                head.i64(tensors.size());
                head.i64(kvCount);
                head.append(header);
                long offset = 0;
                for (Tensor t : tensors) {
                    head.string(t.name());
                    head.i32(t.dims().length);
                    for (long d : t.dims()) {
                        head.i64(d);
                    }
                    head.i32(GGML_TYPE_F32);
                    head.i64(offset);
                    offset = align(offset + t.elements() * Float.BYTES);
                }
                head.pad(align(head.size()) - head.size());
                head.writeTo(out);
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors) {
                    long n = t.elements();
                    for (long i = 0; i < n; i++) {
                        if (buf.remaining() < Float.BYTES) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        buf.putFloat(t.values().at(i));
                    }
                    long bytes = n * Float.BYTES;
                    for (long p = bytes; p < align(bytes); p++) {
                        if (!buf.hasRemaining()) {
                            out.write(buf.array(), 0, buf.position());
                            buf.clear();
                        }
                        buf.put((byte) 0);
                    }
                }
                out.write(buf.array(), 0, buf.position());
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** A little-endian byte builder for the header part of the file. */
    private static final class Out {
        private ByteBuffer buf = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);

        private void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void u8(int v) {
            room(1);
            buf.put((byte) v);
        }

        void i32(int v) {
            room(4);
            buf.putInt(v);
        }

        void i64(long v) {
            room(8);
            buf.putLong(v);
        }

        void f32(float v) {
            room(4);
            buf.putFloat(v);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            room(bytes.length);
            buf.put(bytes);
        }

        void pad(long n) {
            for (long i = 0; i < n; i++) {
                u8(0);
            }
        }

        void append(Out other) {
            room(other.buf.position());
            buf.put(other.buf.array(), 0, other.buf.position());
        }

        long size() {
            return buf.position();
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(buf.array(), 0, buf.position());
        }
    }
}
