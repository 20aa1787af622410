package org.clusteripam.core.bench;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole engine on the in-memory store: RequestAddress + ReleaseAddress on the hot path (a host
 * block with room, half full), JSON encoding of the block included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
@State(Scope.Thread)
public class EngineBench {
  @Param({"10.5.0.0/24", "fd00:6::/64"})
  public String pool;

  /**
   * Addresses the host already holds: 30 (one block with room) or 512 (8 full /26 blocks first,
   * IPv4 /16).
   */
  @Param({"30", "512"})
  public int held;

  DriverIpam ipam;
  PoolId id;
  HostId host = new HostId("h1");
  AddressRequest any;

  @Setup(Level.Trial)
  public void setup() {
    ipam =
        IpamEngine.open(
                new InMemoryStateStore(),
                IpamConfig.defaults(),
                Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
            .driver();
    String p = held > 200 && pool.contains(".") ? "10.5.0.0/16" : pool; // 512 need more than a /24
    id =
        ipam.requestPool(
                new PoolRequest(
                    host,
                    "ClusterIpamLocal",
                    Optional.of(IpPrefix.parse(p)),
                    Optional.empty(),
                    Map.of(),
                    false))
            .id();
    any = new AddressRequest(host, id, Optional.empty(), AddressKind.ENDPOINT, Map.of());
    for (int i = 0; i < held; i++) {
      ipam.requestAddress(any);
    }
  }

  @Benchmark
  public IpAddress requestThenRelease() {
    IpAddress a = ipam.requestAddress(any).address();
    ipam.releaseAddress(host, id, a);
    return a;
  }
}
