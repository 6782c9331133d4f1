package io.github.gambiarra.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.hub.config.HubOptions;
import io.github.gambiarra.hub.internal.discovery.HubAnnouncer;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceInfo;
import org.junit.jupiter.api.Test;

/** hub-api.md, Discovery: a hub started with mDNS can be found by DNS-SD browsing. */
class MdnsAnnouncementTest {

    @Test
    void hubIsFoundAsGambiarraServiceWithTxtRecords() throws Exception {
        try (GambiarraHub hub = GambiarraHub.start(HubOptions.loopback()
                .listen(l -> l.mdns(true).mdnsAddress("127.0.0.1")))) {
            String name = hub.awaitMdns(15_000);
            assertThat(name).isEqualTo("gambiarra-hub-" + hub.port());

            try (JmDNS browser = JmDNS.create(InetAddress.getByName("127.0.0.1"), "browser")) {
                // A multicast answer can be missed on a busy machine, and the service can be listed
                // before its TXT record is resolved: ask again until both came or a generous deadline passes.
                ServiceInfo info = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((info == null || info.getPropertyString("version") == null) && System.nanoTime() < deadline) {
                    info = Arrays.stream(browser.list(HubAnnouncer.SERVICE_TYPE, 3_000))
                            .filter(s -> s.getName().equals(name)).findFirst().orElse(null);
                    if (info != null && info.getPropertyString("version") == null) {
                        info = browser.getServiceInfo(HubAnnouncer.SERVICE_TYPE, name, true, 3_000);
                    }
                }
                assertThat(info).as("service resolved over mDNS").isNotNull();
                assertThat(info.getPort()).isEqualTo(hub.port());
                assertThat(info.getPropertyString("version")).isEqualTo("1.0");
                assertThat(info.getPropertyString("protocol")).isEqualTo("http");
            }
        }
    }
}
