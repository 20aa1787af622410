package org.clusteripam.daemon.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.store.StoreContents;

/**
 * Capacity series, refreshed from the store before each scrape:
 * {@code cluster_ipam_supernet_addresses}, {@code cluster_ipam_pool_addresses} and
 * {@code cluster_ipam_block_addresses}, each with {@code state} = capacity, used, free, reserved.
 * For a supernet "used" is the space carved into pools; for pools and blocks it is allocated
 * addresses, and "reserved" is the IPv4 network and broadcast addresses.
 */
public final class CapacityGauges {
  private final StateStore store;
  private final IpamConfig config;
  private final MultiGauge supernets;
  private final MultiGauge pools;
  private final MultiGauge blocks;

  public CapacityGauges(MeterRegistry registry, StateStore store, IpamConfig config) {
    this.store = store;
    this.config = config;
    this.supernets = MultiGauge.builder("cluster.ipam.supernet.addresses").description("Supernet space by state").register(registry);
    this.pools = MultiGauge.builder("cluster.ipam.pool.addresses").description("Network pool addresses by state").register(registry);
    this.blocks = MultiGauge.builder("cluster.ipam.block.addresses").description("Host block addresses by state").register(registry);
  }

  /** Re-reads the store; call before a scrape. */
  public void refresh() {
    StoreContents c = StoreContents.read(store);
    List<MultiGauge.Row<?>> s = new ArrayList<>();
    for (Optional<IpPrefix> sn : List.of(Optional.of(config.supernetV4()), config.supernetV6())) {
      if (sn.isEmpty()) {
        continue;
      }
      double capacity = sn.get().size().doubleValue();
      double carved = c.pools().stream().map(p -> p.record().prefix()).filter(p -> sn.get().contains(p)).mapToDouble(p -> p.size().doubleValue()).sum();
      rows(s, Tags.of("supernet", sn.get().toString()), capacity, carved, 0);
    }
    supernets.register(s, true);
    List<MultiGauge.Row<?>> p = new ArrayList<>();
    for (StoreContents.Pool pool : c.pools()) {
      IpPrefix prefix = pool.record().prefix();
      long used = c.blocksOf(pool.record()).stream().mapToLong(b -> b.record().size()).sum();
      rows(p, Tags.of("pool", prefix.toString()), prefix.size().doubleValue(), used, reserved(prefix, prefix));
    }
    pools.register(p, true);
    List<MultiGauge.Row<?>> b = new ArrayList<>();
    for (StoreContents.Block block : c.blocks()) {
      IpPrefix bp = block.record().block();
      rows(b, Tags.of("pool", block.record().pool().toString(), "block", bp.toString(), "host", block.record().owner()),
          bp.size().doubleValue(), block.record().size(), reserved(block.record().pool(), bp));
    }
    blocks.register(b, true);
  }

  private static void rows(List<MultiGauge.Row<?>> out, Tags tags, double capacity, double used, double reserved) {
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
