package org.clusteripam.daemon.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.ipam.IpamCall;
import org.clusteripam.core.ipam.IpamInterceptor;

/**
 * Records each driver call's latency as the Prometheus histogram {@code
 * cluster_ipam_request_seconds{endpoint, outcome}} (outcome {@code ok} or {@code error}).
 * GetDefaultAddressSpaces is answered from memory and not timed.
 */
public final class TimingInterceptor implements IpamInterceptor {
  public static final String METRIC = "cluster.ipam.request";
  private final MeterRegistry registry;

  public TimingInterceptor(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Object intercept(Chain chain) {
    IpamCall call = chain.call();
    if (call instanceof IpamCall.AddressSpacesCall) {
      return chain.proceed(call);
    }
    long start = System.nanoTime();
    String outcome = "error";
    try {
      Object answer = chain.proceed(call);
      outcome = "ok";
      return answer;
    } finally {
      timer(call.method(), outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
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
