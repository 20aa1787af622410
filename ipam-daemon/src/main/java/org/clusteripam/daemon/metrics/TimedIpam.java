package org.clusteripam.daemon.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;

/**
 * Wraps an {@link Ipam} and records each call's latency as a Prometheus histogram
 * {@code cluster_ipam_request_seconds{endpoint, outcome}}.
 */
public final class TimedIpam implements Ipam {
  public static final String METRIC = "cluster.ipam.request";
  private final Ipam delegate;
  private final MeterRegistry registry;

  public TimedIpam(Ipam delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public AddressSpaces addressSpaces() {
    return delegate.addressSpaces();
  }

  @Override
  public PoolGrant requestPool(PoolRequest request) {
    return time("RequestPool", () -> delegate.requestPool(request));
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    time("ReleasePool", () -> {
      delegate.releasePool(host, pool);
      return null;
    });
  }

  @Override
  public AddressGrant requestAddress(AddressRequest request) {
    return time("RequestAddress", () -> delegate.requestAddress(request));
  }

  @Override
  public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
    time("ReleaseAddress", () -> {
      delegate.releaseAddress(host, pool, address);
      return null;
    });
  }

  private <T> T time(String endpoint, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T r = call.get();
      outcome = "ok";
      return r;
    } finally {
      timer(endpoint, outcome).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String endpoint, String outcome) {
    return Timer.builder(METRIC)
        .description("Latency of IPAM driver calls")
        .tag("endpoint", endpoint)
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry);
  }
}
