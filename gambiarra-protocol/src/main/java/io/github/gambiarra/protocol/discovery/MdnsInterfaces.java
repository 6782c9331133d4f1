package io.github.gambiarra.protocol.discovery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where a hub announces itself and where clients look for one: every network interface that is up,
 * multicast-capable and not loopback, with one IPv4 and one IPv6 address of each, whatever the
 * machine's host name resolves to. (On Debian and Ubuntu the host name resolves to 127.0.1.1, so a
 * library that picks "the local address" would announce to, and browse, nothing but the machine
 * itself.)
 */
public final class MdnsInterfaces {
    /** The DNS-SD service type every Gambiarra hub announces. */
    public static final String SERVICE_TYPE = "_gambiarra._tcp.local.";

    private MdnsInterfaces() {
    }

    /**
     * The addresses to announce and browse on: {@code configured} alone when it is set (tests use
     * 127.0.0.1), else those of every suitable interface.
     *
     * @throws UnknownHostException when {@code configured} is not an address
     */
    public static List<InetAddress> addresses(String configured) throws UnknownHostException {
        if (configured != null && !configured.isBlank()) {
            return List.of(InetAddress.getByName(configured.trim()));
        }
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || !nic.supportsMulticast()) {
                    continue;
                }
                InetAddress v4 = null;
                InetAddress v6 = null;
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && v4 == null) {
                        v4 = address;
                    } else if (address instanceof Inet6Address && (v6 == null || address.isLinkLocalAddress())) {
                        // mDNS over IPv6 is link-local: prefer that address when there are several.
                        v6 = address;
                    }
                }
                if (v4 != null) {
                    addresses.add(v4);
                }
                if (v6 != null) {
                    addresses.add(v6);
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return addresses;
    }
}
