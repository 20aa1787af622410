package org.clusteripam.docker.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Aggregates request bodies up to a limit. Netty's default answer to a larger one is HTTP 413;
 * Docker needs HTTP 200 with {@code {"Error"}}, so the request is passed on as an {@link
 * OversizedRequest} (answered in order with the others) while its body is discarded.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
  BodyLimitAggregator(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    ctx.fireChannelRead(new OversizedRequest(HttpUtil.isKeepAlive(oversized)));
  }
}
