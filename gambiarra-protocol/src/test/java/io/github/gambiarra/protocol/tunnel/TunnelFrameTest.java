package io.github.gambiarra.protocol.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tunnel's frame layout, byte for byte as hub-api.md gives it. */
class TunnelFrameTest {

    @Test
    void aFrameIsTypeFlagsStreamIdAndPayloadInThatOrder() {
        byte[] wire = new TunnelFrame(TunnelFrame.Type.DATA, TunnelFrame.END, 0x01020304, new byte[] {9, 8}).encode();
        assertThat(wire).containsExactly(0x04, 0x01, 0x01, 0x02, 0x03, 0x04, 9, 8);
        TunnelFrame back = TunnelFrame.decode(wire);
        assertThat(back.type()).isEqualTo(TunnelFrame.Type.DATA);
        assertThat(back.end()).isTrue();
        assertThat(back.streamId()).isEqualTo(0x01020304);
        assertThat(back.payload()).containsExactly(9, 8);
        assertThat(TunnelFrame.decode(new byte[] {0x07, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe, 0, 0, 1, 0})
                .credit()).isEqualTo(256);
    }

    @Test
    void openAndHeadCarryAJsonHeaderThenTheFirstBodyBytes() {
        byte[] json = "{\"status\":200}".getBytes(StandardCharsets.UTF_8);
        byte[] body = "abcdef".getBytes(StandardCharsets.UTF_8);
        TunnelFrame head = new TunnelFrame(TunnelFrame.Type.HEAD, 0, 3, TunnelFrame.withJson(json, body, 2, 3));
        byte[] wire = head.encode();
        assertThat(wire[6]).isEqualTo((byte) 0);
        assertThat(wire[7]).isEqualTo((byte) json.length);
        TunnelFrame back = TunnelFrame.decode(wire);
        assertThat(back.json()).isEqualTo(json);
        assertThat(new String(back.body(), StandardCharsets.UTF_8)).isEqualTo("cde");
        assertThat(back.end()).isFalse();
        // DATA has no JSON header: its body is its whole payload.
        assertThat(new TunnelFrame(TunnelFrame.Type.DATA, 0, 3, body).body()).isEqualTo(body);
    }

    @Test
    void malformedFramesAreRefusedWithAReason() {
        assertThatThrownBy(() -> TunnelFrame.decode(new byte[] {0x04, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 6 bytes");
        assertThatThrownBy(() -> TunnelFrame.decode(new byte[] {0x05, 0, 0, 0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown tunnel frame type 0x5");
        TunnelFrame cut = TunnelFrame.decode(new byte[] {0x03, 0, 0, 0, 0, 1, 0, 10, '{'});
        assertThatThrownBy(cut::json).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cut short");
        TunnelFrame none = TunnelFrame.decode(new byte[] {0x02, 0, 0, 0, 0, 1, 0});
        assertThatThrownBy(none::json).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks");
        assertThatThrownBy(() -> TunnelFrame.withJson(new byte[70_000], new byte[0], 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TunnelFrame(TunnelFrame.Type.DATA, 0, 1, new byte[4]).credit())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFrameIsReadInPlaceWhereverItLiesInItsBuffer() {
        byte[] json = "{\"status\":200}".getBytes(StandardCharsets.UTF_8);
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] wire = new TunnelFrame(TunnelFrame.Type.HEAD, TunnelFrame.END, 77,
                TunnelFrame.withJson(json, body, 0, body.length)).encode();
        byte[] padded = new byte[wire.length + 10];
        System.arraycopy(wire, 0, padded, 3, wire.length);
        ByteBuffer around = ByteBuffer.wrap(padded, 3, wire.length);

        TunnelFrame.View view = TunnelFrame.View.of(around);

        assertThat(view.type()).isEqualTo(TunnelFrame.Type.HEAD);
        assertThat(view.end()).isTrue();
        assertThat(view.streamId()).isEqualTo(77);
        assertThat(view.length()).isEqualTo(wire.length);
        assertThat(StandardCharsets.UTF_8.decode(view.json()).toString()).isEqualTo("{\"status\":200}");
        assertThat(new String(padded, 3 + view.bodyOffset(), view.length() - view.bodyOffset(), StandardCharsets.UTF_8))
                .isEqualTo("hello");
        assertThat(around.position()).as("the buffer is left as it was").isEqualTo(3);
        assertThat(view.message().array()).as("no byte copied").isSameAs(padded);
        assertThat(TunnelMessages.read(view.json(), TunnelMessages.Head.class).status()).isEqualTo(200);
    }

    @Test
    void aDataFramesBodyIsItsWholePayloadAndACutHeaderIsNamed() {
        TunnelFrame.View data = TunnelFrame.View.of(ByteBuffer.wrap(
                new TunnelFrame(TunnelFrame.Type.DATA, 0, 5, new byte[] {1, 2, 3}).encode()));
        assertThat(data.bodyOffset()).isEqualTo(TunnelFrame.HEADER);
        assertThat(data.end()).isFalse();
        TunnelFrame.View cut = TunnelFrame.View.of(ByteBuffer.wrap(new byte[] {0x03, 0, 0, 0, 0, 1, 0, 10, '{'}));
        assertThatThrownBy(cut::bodyOffset).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cut short");
        assertThatThrownBy(() -> TunnelFrame.View.of(ByteBuffer.wrap(new byte[] {0x04, 0})))
                .hasMessageContaining("at least 6 bytes");
    }
}
