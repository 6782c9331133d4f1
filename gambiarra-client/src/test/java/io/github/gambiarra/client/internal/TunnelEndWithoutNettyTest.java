package io.github.gambiarra.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An application without Netty (the SDK's users, a JBang script sharing a model) joins through the
 * OkHttp end, and loading the tunnel's code never reaches for a Netty class: the test class path
 * without its Netty jars, in a class loader of its own.
 */
class TunnelEndWithoutNettyTest {

    @Test
    void withoutNettyTheOkHttpEndIsMadeAndNoNettyClassIsNeeded() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isBlank() && !Path.of(entry).getFileName().toString().startsWith("netty-")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        try (URLClassLoader noNetty = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> noNetty.loadClass("io.netty.channel.EventLoopGroup"))
                    .as("the loader really has no Netty").isInstanceOf(ClassNotFoundException.class);
            Class<?> endType = noNetty.loadClass(TunnelEnd.class.getName());
            Class<?> listenerType = noNetty.loadClass(TunnelClient.Listener.class.getName());
            Class<?> okHttp = noNetty.loadClass("okhttp3.OkHttpClient");
            Object listener = Proxy.newProxyInstance(noNetty, new Class<?>[] {listenerType}, (proxy, method, args) -> null);
            Method create = endType.getMethod("create", okHttp, String.class, String.class, String.class, String.class,
                    listenerType);
            Object end = create.invoke(null, okHttp.getConstructor().newInstance(), "ws://127.0.0.1:3000/rooms/ABC123/tunnel",
                    "p", "t", "http://127.0.0.1:11434", listener);
            assertThat(end.getClass().getName()).isEqualTo(TunnelClient.class.getName());
            ((AutoCloseable) end).close();
        }
    }
}
