package org.clusteripam.daemon.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * Capacity series, refreshed from the store before each scrape: {@code
 * cluster_ipam_supernet_addresses}, {@code cluster_ipam_pool_addresses} and {@code
 * cluster_ipam_block_addresses}, each with {@code state} = capacity, used, free, reserved. For a
 * supernet "used" is the space carved into pools; for pools and blocks it is allocated addresses,
 * and "reserved" is the IPv4 network and broadcast addresses.
 */
public final class CapacityGauges {
  private final IpamQueries queries;
  private final MultiGauge supernets;
  private final MultiGauge pools;
  private final MultiGauge blocks;

  public CapacityGauges(MeterRegistry registry, IpamQueries queries) {
    this.queries = queries;
    this.supernets =
        MultiGauge.builder("cluster.ipam.supernet.addresses")
            .description("Supernet space by state")
            .register(registry);
    this.pools =
        MultiGauge.builder("cluster.ipam.pool.addresses")
            .description("Network pool addresses by state")
            .register(registry);
    this.blocks =
        MultiGauge.builder("cluster.ipam.block.addresses")
            .description("Host block addresses by state")
            .register(registry);
  }

  /** Re-reads the store; call before a scrape. */
  public void refresh() {
    IpamQueries.Snapshot c = queries.snapshot();
    List<MultiGauge.Row<?>> s = new ArrayList<>();
    for (IpamQueries.SupernetView sn : c.supernets()) {
      double carved = sn.pools().stream().mapToDouble(p -> p.size().doubleValue()).sum();
      rows(
          s,
          Tags.of("supernet", sn.supernet().toString()),
          sn.supernet().size().doubleValue(),
          carved,
          0);
    }
    supernets.register(s, true);
    List<MultiGauge.Row<?>> p = new ArrayList<>();
    List<MultiGauge.Row<?>> b = new ArrayList<>();
    for (IpamQueries.PoolView pool : c.allPools()) {
      IpPrefix prefix = pool.prefix();
      rows(
          p,
          Tags.of("pool", prefix.toString()),
          prefix.size().doubleValue(),
          pool.used(),
          reserved(prefix, prefix));
      for (IpamQueries.BlockView block : pool.blocks()) {
        IpPrefix bp = block.block();
        rows(
            b,
            Tags.of(
                "pool",
                prefix.toString(),
                "block",
                bp.toString(),
                "host",
                block.owner().map(Holder::format).orElse("")),
            bp.size().doubleValue(),
            block.used(),
            reserved(prefix, bp));
      }
    }
    pools.register(p, true);
    blocks.register(b, true);
  }

  private static void rows(
      List<MultiGauge.Row<?>> out, Tags tags, double capacity, double used, double reserved) {
    out.add(MultiGauge.Row.of(tags.and("state", "capacity"), capacity));
    out.add(MultiGauge.Row.of(tags.and("state", "used"), used));
    out.add(MultiGauge.Row.of(tags.and("state", "reserved"), reserved));
    out.add(MultiGauge.Row.of(tags.and("state", "free"), Math.max(0, capacity - used - reserved)));
  }

  /** IPv4 network and broadcast addresses of {@code pool} that fall in {@code part}. */
  private static double reserved(IpPrefix pool, IpPrefix part) {
    if (pool.family() != IpFamily.IPV4 || pool.length() >= 31) {
      return 0;
    }
    return (part.contains(pool.first()) ? 1 : 0) + (part.contains(pool.last()) ? 1 : 0);
  }
}
