package org.clusteripam.daemon.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive HTTP/1.1 connection to the plugin socket on a shared Netty event loop, sending what
 * dockerd sends (POST, the plugin Accept header, empty Host, no Content-Type), one call at a time.
 * The same approach as ipam-docker-protocol's test client, which this module cannot see.
 */
final class SocketHttpClient implements AutoCloseable {
  private static final String ACCEPT = "application/vnd.docker.plugins.v1.2+json";
  private final Channel channel;
  private final BlockingQueue<Object> responses;

  private SocketHttpClient(Channel channel, BlockingQueue<Object> responses) {
    this.channel = channel;
    this.responses = responses;
  }

  static SocketHttpClient connect(Path socket, EventLoopGroup loop) throws IOException {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    try {
      Channel ch = new Bootstrap().group(loop).channel(NioDomainSocketChannel.class).handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel c) {
          c.pipeline().addLast(new HttpClientCodec()).addLast(new HttpObjectAggregator(1 << 20)).addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
              queue.add(r.status().code() == 200 ? r.content().toString(StandardCharsets.UTF_8)
                  : new IOException("HTTP " + r.status() + ": " + r.content().toString(StandardCharsets.UTF_8)));
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
              queue.add(new IOException("connection closed by the server"));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
              queue.add(cause);
              ctx.close();
            }
          });
        }
      }).connect(UnixDomainSocketAddress.of(socket)).sync().channel();
      return new SocketHttpClient(ch, queue);
    } catch (Exception e) {
      throw new IOException("cannot connect to " + socket + ": " + e, e);
    }
  }

  /** POSTs {@code body} and returns the response body of a 200. */
  String post(String path, String body) throws IOException, InterruptedException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(bytes));
    request.headers().set(HttpHeaderNames.HOST, "");
    request.headers().set(HttpHeaderNames.USER_AGENT, "Go-http-client/1.1");
    request.headers().set(HttpHeaderNames.ACCEPT, ACCEPT);
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    channel.writeAndFlush(request);
    Object o = responses.poll(30, TimeUnit.SECONDS);
    if (o instanceof String s) {
      return s;
    }
    if (o == null) {
      throw new IOException("no response to " + path + " within 30 s");
    }
    throw o instanceof IOException e ? e : new IOException("connection failed: " + o, (Throwable) o);
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
