package org.clusteripam.docker.server;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Tuning of a {@link PluginServer}.
 *
 * @param workerThreads threads running {@code Ipam} calls when no executor is given (the engine may
 *     block on its store; concurrency lets a batching store commit several calls at once)
 * @param queueCapacity calls waiting for a worker before new ones are refused with an error
 * @param drainTimeout how long {@link PluginServer#close()} waits for calls in flight
 * @param executor runs {@code Ipam} calls instead of an own pool; the caller owns and shuts it down
 * @param callTrace where each call's trace line goes ({@code serve --trace-calls}), or empty
 */
public record PluginServerOptions(
    int workerThreads,
    int queueCapacity,
    Duration drainTimeout,
    Optional<Executor> executor,
    Optional<Consumer<String>> callTrace) {
  public PluginServerOptions {
    if (workerThreads < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("workerThreads and queueCapacity must be at least 1");
    }
    if (drainTimeout == null || drainTimeout.isNegative()) {
      throw new IllegalArgumentException("drainTimeout must be zero or positive");
    }
    if (executor == null) {
      throw new IllegalArgumentException("executor must be Optional.empty() or an executor");
    }
    if (callTrace == null) {
      throw new IllegalArgumentException("callTrace must be Optional.empty() or a line sink");
    }
  }

  public static PluginServerOptions defaults() {
    return new PluginServerOptions(
        16, 1024, Duration.ofSeconds(10), Optional.empty(), Optional.empty());
  }

  public PluginServerOptions withWorkerThreads(int threads) {
    return new PluginServerOptions(threads, queueCapacity, drainTimeout, executor, callTrace);
  }

  public PluginServerOptions withDrainTimeout(Duration timeout) {
    return new PluginServerOptions(workerThreads, queueCapacity, timeout, executor, callTrace);
  }

  public PluginServerOptions withExecutor(Executor e) {
    return new PluginServerOptions(
        workerThreads, queueCapacity, drainTimeout, Optional.of(e), callTrace);
  }

  /**
   * Every call's {@link org.clusteripam.docker.protocol.CallTrace} line goes to {@code sink} after
   * the call.
   */
  public PluginServerOptions withCallTrace(Consumer<String> sink) {
    return new PluginServerOptions(
        workerThreads, queueCapacity, drainTimeout, executor, Optional.of(sink));
  }
}
