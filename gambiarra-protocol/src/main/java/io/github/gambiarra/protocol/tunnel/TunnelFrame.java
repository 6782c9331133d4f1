package io.github.gambiarra.protocol.tunnel;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One frame of the participant tunnel: a WebSocket binary message of a 1-byte type, a 1-byte set of
 * flags, a 4-byte big-endian stream id and a payload. docs/hub-api.md, "Participant tunnel", is the
 * reference; this class encodes and decodes what it describes, for the hub and the participant
 * alike.
 *
 * <p>OPEN and HEAD carry a small JSON header and the first bytes of a body in one payload: a 2-byte
 * big-endian length, the JSON, then body bytes. With the {@link #END} flag a frame is also the last
 * of its sender's body, so a short request or answer is one message each way.
 *
 * @param type     what the frame is
 * @param flags    {@link #END}, or 0
 * @param streamId the request it belongs to (0 for the tunnel itself)
 * @param payload  its bytes
 */
public record TunnelFrame(Type type, int flags, int streamId, byte[] payload) {
    /** Bytes before the payload. */
    public static final int HEADER = 6;
    /** Flag: the sender's body is complete with this frame. */
    public static final int END = 0x01;

    /** The kinds of frame, with their wire byte. */
    public enum Type {
        /** Hub to participant, stream 0, first: the tunnel's settings ({@link TunnelMessages.Hello}). */
        HELLO(0x01),
        /** Hub to participant: a new request ({@link TunnelMessages.Open}) and the start of its body. */
        OPEN(0x02),
        /** Participant to hub: the answer's status and headers ({@link TunnelMessages.Head}) and the start of its body. */
        HEAD(0x03),
        /** Either way: more body bytes. */
        DATA(0x04),
        /** Either way: the stream is abandoned ({@link TunnelMessages.Reset}); nothing more is sent on it. */
        RESET(0x06),
        /** Hub to participant: it may send this many more body bytes on the stream (4-byte big-endian). */
        CREDIT(0x07),
        /**
         * Participant to hub, version 2 ({@link TunnelMessages#SUBPROTOCOL_ACKS}): it has the request
         * on this stream and is passing it to its LLM server. No payload.
         */
        ACK(0x08);

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

    /** Whether the sender's body ends with this frame. */
    public boolean end() {
        return (flags & END) != 0;
    }

    /** The frame as one WebSocket binary message. */
    public byte[] encode() {
        byte[] out = new byte[HEADER + payload.length];
        header(type, flags, streamId, out);
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    /** Writes a frame header into the first {@link #HEADER} bytes of {@code into}. */
    public static void header(Type type, int flags, int streamId, byte[] into) {
        into[0] = type.wire;
        into[1] = (byte) flags;
        into[2] = (byte) (streamId >>> 24);
        into[3] = (byte) (streamId >>> 16);
        into[4] = (byte) (streamId >>> 8);
        into[5] = (byte) streamId;
    }

    /**
     * Reads a frame, its payload copied out of {@code message}; {@link View#of} reads one in place.
     *
     * @throws IllegalArgumentException if it is shorter than a header or of an unknown type
     */
    public static TunnelFrame decode(byte[] message) {
        View view = View.of(ByteBuffer.wrap(message));
        return new TunnelFrame(view.type(), view.flags(), view.streamId(),
                Arrays.copyOfRange(message, HEADER, message.length));
    }

    /**
     * An encoded frame read where it lies: its header decoded, and where its JSON header and body
     * bytes are in the message, so that a receiver can hand the body on without copying it.
     * Offsets count from the start of the frame.
     *
     * @param type     what the frame is
     * @param flags    {@link #END}, or 0
     * @param streamId the request it belongs to
     * @param message  the whole frame (header and payload), from its position to its limit
     */
    public record View(Type type, int flags, int streamId, ByteBuffer message) {

        /**
         * Reads the header of the frame held by {@code message} (from its position to its limit),
         * which is left as it is.
         *
         * @throws IllegalArgumentException if it is shorter than a header or of an unknown type
         */
        public static View of(ByteBuffer message) {
            ByteBuffer frame = message.slice();
            if (frame.remaining() < HEADER) {
                throw new IllegalArgumentException("a tunnel frame has at least " + HEADER + " bytes, got "
                        + frame.remaining());
            }
            return new View(Type.of(frame.get(0)), frame.get(1) & 0xff, frame.getInt(2), frame);
        }

        /** Whether the sender's body ends with this frame. */
        public boolean end() {
            return (flags & END) != 0;
        }

        /** The frame's length, header included. */
        public int length() {
            return message.limit();
        }

        /**
         * The length of the JSON header of an OPEN or HEAD frame, which starts at {@code HEADER + 2}.
         *
         * @throws IllegalArgumentException if the payload lacks it or cuts it short
         */
        public int jsonLength() {
            if (length() - HEADER < 2) {
                throw new IllegalArgumentException("a tunnel frame's payload lacks its JSON header");
            }
            int json = message.getShort(HEADER) & 0xffff;
            if (length() - HEADER - 2 < json) {
                throw new IllegalArgumentException("a tunnel frame's JSON header is cut short");
            }
            return json;
        }

        /** The JSON header of an OPEN or HEAD frame, as a view of the message. */
        public ByteBuffer json() {
            return message.slice(HEADER + 2, jsonLength());
        }

        /** Where the body bytes start: after the JSON header of an OPEN or HEAD, else after the frame header. */
        public int bodyOffset() {
            return type == Type.OPEN || type == Type.HEAD ? HEADER + 2 + jsonLength() : HEADER;
        }
    }

    /** The type of an encoded frame, from its first byte. */
    public static Type typeOf(byte first) {
        return Type.of(first);
    }

    /** The stream id of an encoded frame. */
    public static int streamId(byte[] message) {
        return ((message[2] & 0xff) << 24) | ((message[3] & 0xff) << 16) | ((message[4] & 0xff) << 8) | (message[5] & 0xff);
    }

    /** A payload of a JSON header followed by body bytes (OPEN, HEAD). */
    public static byte[] withJson(byte[] json, byte[] body, int bodyOffset, int bodyLength) {
        if (json.length > 0xffff) {
            throw new IllegalArgumentException("a tunnel frame's JSON header is at most 65535 bytes");
        }
        byte[] out = new byte[2 + json.length + bodyLength];
        out[0] = (byte) (json.length >>> 8);
        out[1] = (byte) json.length;
        System.arraycopy(json, 0, out, 2, json.length);
        System.arraycopy(body, bodyOffset, out, 2 + json.length, bodyLength);
        return out;
    }

    /** The length of the JSON header at the start of an OPEN or HEAD payload. */
    public static int jsonLength(byte[] payload, int offset) {
        if (payload.length - offset < 2) {
            throw new IllegalArgumentException("a tunnel frame's payload lacks its JSON header");
        }
        int length = ((payload[offset] & 0xff) << 8) | (payload[offset + 1] & 0xff);
        if (payload.length - offset - 2 < length) {
            throw new IllegalArgumentException("a tunnel frame's JSON header is cut short");
        }
        return length;
    }

    /** The JSON header of this (OPEN or HEAD) frame. */
    public byte[] json() {
        int length = jsonLength(payload, 0);
        return Arrays.copyOfRange(payload, 2, 2 + length);
    }

    /** The body bytes of this frame: all of a DATA payload, what follows the JSON of an OPEN or HEAD. */
    public byte[] body() {
        if (type != Type.OPEN && type != Type.HEAD) {
            return payload;
        }
        return Arrays.copyOfRange(payload, 2 + jsonLength(payload, 0), payload.length);
    }

    /** A CREDIT frame granting {@code bytes}. */
    public static TunnelFrame credit(int streamId, int bytes) {
        return new TunnelFrame(Type.CREDIT, 0, streamId, ByteBuffer.allocate(4).putInt(bytes).array());
    }

    /** The bytes a CREDIT frame grants. */
    public int credit() {
        if (type != Type.CREDIT || payload.length != 4) {
            throw new IllegalStateException("not a CREDIT frame: " + type);
        }
        return ByteBuffer.wrap(payload).getInt();
    }
}
