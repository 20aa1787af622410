package org.clusteripam.daemon.serve;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.IpamChain;
import org.clusteripam.core.reconcile.DockerView;
import org.clusteripam.core.reconcile.StaleHoldRecovery;
import org.clusteripam.daemon.metrics.TimingInterceptor;

/**
 * The one place that declares what stands between the plugin socket and the engine, and in which
 * order.
 */
public final class DriverChain {
  private DriverChain() {}

  /**
   * The {@link Ipam} the plugin socket serves: timing outermost (a call's time includes a
   * recovery's Docker read and retry), then stale-hold recovery, then the engine. The call trace is
   * the protocol layer's: it sees Docker's raw requests, also those that never reach this chain.
   */
  public static Ipam served(
      DriverIpam engine,
      MeterRegistry registry,
      DockerView docker,
      Clock clock,
      Duration staleIpGrace) {
    return IpamChain.of(
        engine,
        List.of(
            new TimingInterceptor(registry),
            new StaleHoldRecovery(
                engine::releaseAddressIfUnchanged,
                docker,
                clock,
                staleIpGrace,
                new StaleHoldLog())));
  }
}
