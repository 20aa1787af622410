package org.clusteripam.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Puts the store's timeout as a gRPC deadline on every unary call (not on the watch and keep-alive
 * streams). Without it a call made while etcd is down waits in gRPC's queue and may be sent — and
 * committed — long after its caller was told it failed.
 */
final class DeadlineInterceptor implements ClientInterceptor {
  private final long millis;

  DeadlineInterceptor(Duration timeout) {
    this.millis = timeout.toMillis();
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(
      MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
      options = options.withDeadlineAfter(millis, TimeUnit.MILLISECONDS);
    }
    return next.newCall(method, options);
  }
}
