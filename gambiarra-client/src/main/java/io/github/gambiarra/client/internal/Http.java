package io.github.gambiarra.client.internal;

import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The one OkHttp client everything of the SDK derives from (room calls, event streams, discovery
 * probes, chat): clients made with {@link OkHttpClient#newBuilder()} from it share its connection
 * pool and dispatcher, so timeouts, TLS and proxies are configured in one way. Not public API.
 */
public final class Http {
    private static final OkHttpClient SHARED = new OkHttpClient.Builder()
            .dispatcher(daemonDispatcher())
            .socketFactory(new NoDelaySocketFactory())
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(30))
            .build();

    private Http() {
    }

    /** The shared client; derive from it with {@code newBuilder()} rather than changing it. */
    public static OkHttpClient shared() {
        return SHARED;
    }

    /**
     * Sockets that send small writes at once. A tunnel's frames and a stream's events are small;
     * with Nagle's algorithm each would wait for the peer's delayed ACK, some 40 ms.
     */
    private static final class NoDelaySocketFactory extends javax.net.SocketFactory {
        private final javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();

        private static java.net.Socket noDelay(java.net.Socket socket) throws java.io.IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            return noDelay(plain.createSocket());
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                throws java.io.IOException {
            return noDelay(plain.createSocket(host, port, local, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local,
                                            int localPort) throws java.io.IOException {
            return noDelay(plain.createSocket(address, port, local, localPort));
        }
    }

    /**
     * A dispatcher whose threads do not keep the JVM alive (OkHttp's own are not daemons, so a
     * program that used the SDK would linger for a minute after main returns), and whose limits fit
     * a hub: many event streams and streamed answers to one host at once.
     */
    private static Dispatcher daemonDispatcher() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "gambiarra-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Dispatcher dispatcher = new Dispatcher(executor);
        dispatcher.setMaxRequests(4096);
        dispatcher.setMaxRequestsPerHost(4096);
        return dispatcher;
    }
}
