package io.github.gambiarra.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The least a relay written directly on Netty (below Vert.x's HTTP API) can do: each request,
 * read whole, is sent over a kept-alive upstream connection of the same event loop, and the
 * answer is passed back as it arrives (headers, then each chunk), with nothing else. It answers
 * whether a JVM relay can reach nginx here at all: if this one cannot, no hub built on the JVM
 * will.
 *
 * <pre>java -cp gambiarra-bench.jar io.github.gambiarra.bench.NettyFloorProxy PORT UPSTREAM_PORT</pre>
 */
public final class NettyFloorProxy {
    private NettyFloorProxy() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        InetSocketAddress upstream = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends Channel> clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 * 1024 * 1024),
                                new Inbound(upstream, clientChannel));
                    }
                })
                .bind("127.0.0.1", port).sync();
        System.out.println("netty floor proxy listening on " + port + (epoll ? " (epoll)" : " (nio)"));
    }

    /** Idle upstream connections, per event loop (only touched from that loop). */
    private static final FastThreadLocal<ArrayDeque<Channel>> IDLE = new FastThreadLocal<>() {
        @Override
        protected ArrayDeque<Channel> initialValue() {
            return new ArrayDeque<>();
        }
    };

    /** A client connection: one request at a time, relayed over a pooled upstream connection. */
    private static final class Inbound extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final InetSocketAddress upstream;
        private final Class<? extends Channel> channelType;
        private Channel busy;

        Inbound(InetSocketAddress upstream, Class<? extends Channel> channelType) {
            this.upstream = upstream;
            this.channelType = channelType;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(),
                    request.content().retain());
            out.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + upstream.getPort());
            CharSequence type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type != null) {
                out.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            }
            HttpUtil.setContentLength(out, out.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            Channel idle = IDLE.get().pollFirst();
            if (idle != null && idle.isActive()) {
                send(ctx, idle, out, keepAlive);
                return;
            }
            EventLoop loop = ctx.channel().eventLoop();
            new Bootstrap().group(loop).channel(channelType).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new Outbound());
                        }
                    })
                    .connect(upstream).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            send(ctx, f.channel(), out, keepAlive);
                        } else {
                            out.release();
                            ctx.close();
                        }
                    });
        }

        private void send(ChannelHandlerContext client, Channel up, DefaultFullHttpRequest request, boolean keepAlive) {
            busy = up;
            Outbound answer = up.pipeline().get(Outbound.class);
            answer.client = client;
            answer.keepAlive = keepAlive;
            answer.inbound = this;
            up.writeAndFlush(request);
        }

        void done(Channel up) {
            busy = null;
            IDLE.get().addFirst(up);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (busy != null) {
                busy.close();
                busy = null;
            }
        }
    }

    /** An upstream connection: relays the answer to the client it is lent to. */
    private static final class Outbound extends SimpleChannelInboundHandler<HttpObject> {
        ChannelHandlerContext client;
        Inbound inbound;
        boolean keepAlive;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status());
                out.headers().set(response.headers());
                out.headers().remove(HttpHeaderNames.CONNECTION);
                if (!keepAlive) {
                    out.headers().set(HttpHeaderNames.CONNECTION, "close");
                }
                client.write(out);
            }
            if (msg instanceof HttpContent content) {
                boolean last = msg instanceof LastHttpContent;
                HttpContent out = last ? new DefaultLastHttpContent(content.content().retain())
                        : new DefaultHttpContent(content.content().retain());
                if (last) {
                    ChannelHandlerContext c = client;
                    client = null;
                    c.writeAndFlush(out).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
                    inbound.done(ctx.channel());
                } else {
                    client.write(out);
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (client != null) {
                client.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IDLE.get().remove(ctx.channel());
            if (client != null) {
                client.close();
            }
        }
    }
}
