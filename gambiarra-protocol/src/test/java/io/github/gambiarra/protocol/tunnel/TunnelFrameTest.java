package io.github.gambiarra.protocol.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
