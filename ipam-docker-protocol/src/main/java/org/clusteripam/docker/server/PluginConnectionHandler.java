package org.clusteripam.docker.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.clusteripam.docker.protocol.DriverProtocol;
import org.clusteripam.docker.protocol.DriverReply;
import org.clusteripam.docker.protocol.ErrorReplies;

/**
 * One connection: requests are answered one at a time, in order. A call that needs the engine runs
 * on the worker executor, never on the event loop (Activate and GetCapabilities are answered
 * inline); while it runs, reading from this connection pauses (back-pressure, and pipelined
 * requests cannot overtake each other).
 */
final class PluginConnectionHandler extends ChannelInboundHandlerAdapter {
  /**
   * dockerd's own plugin mimetype (moby pkg/plugins/transport VersionMimetype, also its Accept
   * header); its client ignores the response content type and decodes the body as JSON.
   */
  static final String CONTENT_TYPE = "application/vnd.docker.plugins.v1.2+json";

  private static final System.Logger LOG =
      System.getLogger(PluginConnectionHandler.class.getName());

  private final DriverProtocol protocol;
  private final Executor workers;
  private final InFlightCalls inFlight;
  private final BooleanSupplier closing;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private boolean busy;

  PluginConnectionHandler(
      DriverProtocol protocol, Executor workers, InFlightCalls inFlight, BooleanSupplier closing) {
    this.protocol = protocol;
    this.workers = workers;
    this.inFlight = inFlight;
    this.closing = closing;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest || msg instanceof OversizedRequest) {
      waiting.add(msg);
      serveNext(ctx);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void serveNext(ChannelHandlerContext ctx) {
    while (!busy && !waiting.isEmpty()) {
      Object next = waiting.poll();
      if (closing.getAsBoolean()) {
        // Closing without an answer makes dockerd's plugin client retry, reaching the next
        // instance.
        ReferenceCountUtil.release(next);
        releaseWaiting();
        ctx.close();
        return;
      }
      if (next instanceof OversizedRequest o) {
        write(
            ctx,
            o.keepAlive(),
            ErrorReplies.of(
                "request body exceeds the limit of " + DriverProtocol.MAX_BODY_BYTES + " bytes"));
        continue;
      }
      FullHttpRequest request = (FullHttpRequest) next;
      try {
        start(ctx, request);
      } finally {
        request.release();
      }
    }
  }

  private void start(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      write(
          ctx,
          false,
          ErrorReplies.of(
              "malformed HTTP request: " + (cause == null ? "unreadable" : cause.getMessage())));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    byte[] body = ByteBufUtil.getBytes(request.content());
    if (!DriverProtocol.callsEngine(path)) {
      write(ctx, keepAlive, protocol.handle(path, body));
      return;
    }
    busy = true;
    ctx.channel().config().setAutoRead(false);
    inFlight.enter();
    try {
      workers.execute(
          () -> {
            DriverReply reply = protocol.handle(path, body);
            try {
              ctx.executor().execute(() -> finish(ctx, keepAlive, reply));
            } catch (RejectedExecutionException e) {
              inFlight.exit(); // the event loop is gone: the connection is closed already
            }
          });
    } catch (RejectedExecutionException e) {
      inFlight.exit();
      busy = false;
      ctx.channel().config().setAutoRead(true);
      write(
          ctx,
          keepAlive,
          ErrorReplies.of("plugin overloaded: too many calls waiting for a worker; retry"));
    }
  }

  private void finish(ChannelHandlerContext ctx, boolean keepAlive, DriverReply reply) {
    try {
      write(ctx, keepAlive, reply).addListener(f -> inFlight.exit());
    } catch (RuntimeException e) {
      inFlight.exit();
      throw e;
    } finally {
      busy = false;
      if (ctx.channel().isActive()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
    serveNext(ctx);
  }

  private static ChannelFuture write(
      ChannelHandlerContext ctx, boolean keepAlive, DriverReply reply) {
    byte[] bytes = reply.bytes();
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    HttpUtil.setKeepAlive(response, keepAlive);
    ChannelFuture future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
    return future;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseWaiting();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, "closing plugin connection after an error", cause);
    ctx.close();
  }

  private void releaseWaiting() {
    Object m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
