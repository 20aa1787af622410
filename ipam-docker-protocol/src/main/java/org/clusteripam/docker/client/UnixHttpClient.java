package org.clusteripam.docker.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 client (Netty's codec) on one persistent Unix-socket connection, sending what
 * dockerd's plugin client sends: {@code POST}, {@code Accept:
 * application/vnd.docker.plugins.v1.2+json}, no Content-Type, and the {@code Host} header of the
 * chosen dockerd version. One call at a time per connection; many connections may share one event
 * loop group.
 */
public final class UnixHttpClient implements AutoCloseable {
  public static final String ACCEPT = "application/vnd.docker.plugins.v1.2+json";

  /**
   * The Host header dockerd sends: empty (20.10.24), {@code plugin.moby.localhost} (later), none.
   */
  public enum HostHeader {
    EMPTY(""),
    MOBY("plugin.moby.localhost"),
    ABSENT(null);

    final String value;

    HostHeader(String value) {
      this.value = value;
    }
  }

  /** A response: status, headers we care about, body. */
  public record Response(int status, String contentType, String connection, String body) {}

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Channel channel;
  private final BlockingQueue<Object> source;
  private final HostHeader host;

  private UnixHttpClient(
      EventLoopGroup group,
      boolean ownsGroup,
      Channel channel,
      BlockingQueue<Object> source,
      HostHeader host) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.channel = channel;
    this.source = source;
    this.host = host;
  }

  public static UnixHttpClient connect(Path socket) throws IOException {
    return connect(socket, HostHeader.EMPTY);
  }

  public static UnixHttpClient connect(Path socket, HostHeader host) throws IOException {
    return connect(
        socket,
        host,
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("unix-http-client", true), NioIoHandler.newFactory()),
        true);
  }

  /**
   * A connection on a shared event loop group, which the caller owns (many clients, few threads).
   */
  public static UnixHttpClient connect(Path socket, EventLoopGroup shared) throws IOException {
    return connect(socket, HostHeader.EMPTY, shared, false);
  }

  private static UnixHttpClient connect(
      Path socket, HostHeader host, EventLoopGroup group, boolean ownsGroup) throws IOException {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    try {
      Channel ch =
          new Bootstrap()
              .group(group)
              .channel(NioDomainSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                      c.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(8 << 20))
                          .addLast(
                              new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(
                                    ChannelHandlerContext ctx, FullHttpResponse r) {
                                  queue.add(
                                      new Response(
                                          r.status().code(),
                                          r.headers().get(HttpHeaderNames.CONTENT_TYPE),
                                          r.headers().get(HttpHeaderNames.CONNECTION),
                                          r.content().toString(StandardCharsets.UTF_8)));
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                  queue.add(Closed.INSTANCE);
                                }

                                @Override
                                public void exceptionCaught(
                                    ChannelHandlerContext ctx, Throwable cause) {
                                  queue.add(cause);
                                  ctx.close();
                                }
                              });
                    }
                  })
              .connect(UnixDomainSocketAddress.of(socket))
              .sync()
              .channel();
      return new UnixHttpClient(group, ownsGroup, ch, queue, host);
    } catch (Exception e) {
      if (ownsGroup) {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      throw new IOException("cannot connect to " + socket + ": " + e, e);
    }
  }

  private enum Closed {
    INSTANCE
  }

  /** POSTs {@code body} to {@code path} and waits for the response. */
  public Response post(String path, String body) throws IOException {
    return post(path, body.getBytes(StandardCharsets.UTF_8));
  }

  public Response post(String path, byte[] body) throws IOException {
    send(path, body, Map.of());
    return await(Duration.ofSeconds(10));
  }

  /** POSTs {@code body} and returns the body of a 200; any other status is an IOException. */
  public String postOk(String path, String body, Duration timeout) throws IOException {
    send(path, body.getBytes(StandardCharsets.UTF_8), Map.of());
    Response r = await(timeout);
    if (r.status() != 200) {
      throw new IOException("HTTP " + r.status() + " from " + path + ": " + r.body());
    }
    return r.body();
  }

  /** Sends without waiting (for pipelining tests); collect with {@link #await}. */
  public void send(String path, byte[] body, Map<String, String> extraHeaders) throws IOException {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.ACCEPT, ACCEPT);
    request.headers().set(HttpHeaderNames.USER_AGENT, "Go-http-client/1.1");
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (host.value != null) {
      request.headers().set(HttpHeaderNames.HOST, host.value);
    }
    extraHeaders.forEach(request.headers()::set);
    try {
      channel.writeAndFlush(request).sync();
    } catch (Exception e) {
      throw new IOException("send failed: " + e, e);
    }
  }

  public Response await(Duration timeout) throws IOException {
    Object o;
    try {
      o = source.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (o instanceof Response r) {
      return r;
    }
    if (o == null) {
      throw new IOException("no response within " + timeout);
    }
    if (o == Closed.INSTANCE) {
      source.add(Closed.INSTANCE); // stays closed
      throw new IOException("connection closed by the server");
    }
    throw new IOException("connection failed: " + o);
  }

  /** True while the server has not closed the connection. */
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }
}
