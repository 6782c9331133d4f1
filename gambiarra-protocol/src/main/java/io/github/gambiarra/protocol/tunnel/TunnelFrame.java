package io.github.gambiarra.protocol.tunnel;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One frame of the participant tunnel: a WebSocket binary message of a 1-byte type, a 4-byte
 * big-endian stream id and a payload. docs/hub-api.md, "Participant tunnel", is the reference; this
 * class encodes and decodes what it describes, for the hub and the participant alike.
 *
 * @param type     what the frame is
 * @param streamId the request it belongs to (0 for the tunnel itself)
 * @param payload  its bytes (JSON for the control frames, body bytes for {@link Type#DATA})
 */
public record TunnelFrame(Type type, int streamId, byte[] payload) {
    /** Bytes before the payload. */
    public static final int HEADER = 5;

    /** The kinds of frame, with their wire byte. */
    public enum Type {
        /** Hub to participant, stream 0, first: the tunnel's settings ({@link TunnelMessages.Hello}). */
        HELLO(0x01),
        /** Hub to participant: a new request ({@link TunnelMessages.Open}); its body follows in DATA, then END. */
        OPEN(0x02),
        /** Participant to hub: the answer's status and headers ({@link TunnelMessages.Head}); its body follows. */
        HEAD(0x03),
        /** Either way: body bytes. */
        DATA(0x04),
        /** Either way: the sender's body is complete. */
        END(0x05),
        /** Either way: the stream is abandoned ({@link TunnelMessages.Reset}); nothing more is sent on it. */
        RESET(0x06),
        /** Either way: the sender may send this many more body bytes on the stream (4-byte big-endian). */
        CREDIT(0x07);

        private final byte wire;

        Type(int wire) {
            this.wire = (byte) wire;
        }

        public byte wire() {
            return wire;
        }

        static Type of(byte wire) {
            for (Type t : values()) {
                if (t.wire == wire) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown tunnel frame type 0x" + Integer.toHexString(wire & 0xff));
        }
    }

    /** The frame as one WebSocket binary message. */
    public byte[] encode() {
        byte[] out = new byte[HEADER + payload.length];
        header(type, streamId, out);
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    /** Writes a frame header into the first {@link #HEADER} bytes of {@code into}. */
    public static void header(Type type, int streamId, byte[] into) {
        into[0] = type.wire;
        into[1] = (byte) (streamId >>> 24);
        into[2] = (byte) (streamId >>> 16);
        into[3] = (byte) (streamId >>> 8);
        into[4] = (byte) streamId;
    }

    /**
     * Reads a frame.
     *
     * @throws IllegalArgumentException if it is shorter than a header or of an unknown type
     */
    public static TunnelFrame decode(byte[] message) {
        if (message.length < HEADER) {
            throw new IllegalArgumentException("a tunnel frame has at least " + HEADER + " bytes, got " + message.length);
        }
        return new TunnelFrame(Type.of(message[0]), streamId(message), Arrays.copyOfRange(message, HEADER, message.length));
    }

    /** The type byte of an encoded frame. */
    public static Type typeOf(byte first) {
        return Type.of(first);
    }

    /** The stream id of an encoded frame. */
    public static int streamId(byte[] message) {
        return ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16) | ((message[3] & 0xff) << 8) | (message[4] & 0xff);
    }

    /** A CREDIT frame granting {@code bytes}. */
    public static TunnelFrame credit(int streamId, int bytes) {
        return new TunnelFrame(Type.CREDIT, streamId, ByteBuffer.allocate(4).putInt(bytes).array());
    }

    /** The bytes a CREDIT frame grants. */
    public int credit() {
        if (type != Type.CREDIT || payload.length != 4) {
            throw new IllegalStateException("not a CREDIT frame: " + type);
        }
        return ByteBuffer.wrap(payload).getInt();
    }

    /** A frame with no payload (END). */
    public static TunnelFrame empty(Type type, int streamId) {
        return new TunnelFrame(type, streamId, new byte[0]);
    }
}
