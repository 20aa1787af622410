package org.clusteripam.core.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;

/**
 * Read-only views of the whole state for the CLI ({@code show}) and metrics: supernet → pools →
 * blocks → addresses, with utilization. Reads one consistent {@link StateStore#list} snapshot; never
 * on a request path.
 */
public final class IpamQueries {
  private final StateStore store;
  private final IpamConfig config;

  public IpamQueries(StateStore store, IpamConfig config) {
    this.store = store;
    this.config = config;
  }

  /** One allocated address. */
  public record AddressView(IpAddress address, AddressKind kind, SortedSet<String> holders, long sinceMillis) {
    /** The service whose per-host VIP this is (the host is the block's owner), if it is one. */
    public Optional<String> vipService() {
      return holders.stream().map(VipHolder::parse).flatMap(Optional::stream).map(VipHolder::service).findFirst();
    }

    /** The host whose per-host VIP this is, if it is one. */
    public Optional<String> vipHost() {
      return holders.stream().map(VipHolder::parse).flatMap(Optional::stream).map(VipHolder::host).findFirst();
    }
  }

  /**
   * One host block: its owner ({@code ""}: none), size (saturating at Long.MAX_VALUE), addresses in
   * use, and released addresses still in their reuse cooldown (with the release time).
   */
  public record BlockView(IpPrefix block, String owner, long size, long used, List<AddressView> addresses, SortedMap<IpAddress, Long> cooling) {
    public BlockView(IpPrefix block, String owner, long size, long used, List<AddressView> addresses) {
      this(block, owner, size, used, addresses, new TreeMap<>());
    }

    /** How many of the used addresses are per-host service VIPs. */
    public long serviceVips() {
      return addresses.stream().filter(a -> a.vipService().isPresent()).count();
    }
  }

  /**
   * One pool with its blocks. {@code size} counts every address, {@code used} the allocated ones;
   * {@code placeholders} is the placeholder range of a per-host pool (empty in cluster mode).
   */
  public record PoolView(
      IpPrefix prefix,
      Optional<IpPrefix> ipRange,
      Optional<String> name,
      boolean dynamic,
      SortedSet<String> holders,
      Optional<IpAddress> gateway,
      BigInteger size,
      long used,
      List<BlockView> blocks,
      Optional<IpPrefix> placeholders) {

    /** A cluster-mode pool. */
    public PoolView(IpPrefix prefix, Optional<IpPrefix> ipRange, Optional<String> name, boolean dynamic, SortedSet<String> holders,
        Optional<IpAddress> gateway, BigInteger size, long used, List<BlockView> blocks) {
      this(prefix, ipRange, name, dynamic, holders, gateway, size, used, blocks, Optional.empty());
    }

    /** How many of the used addresses are per-host service VIPs. */
    public long serviceVips() {
      return blocks.stream().mapToLong(BlockView::serviceVips).sum();
    }

    /** Used fraction of the pool, 0..1 (tiny for IPv6 pools). */
    public double utilization() {
      return new java.math.BigDecimal(used).divide(new java.math.BigDecimal(size), java.math.MathContext.DECIMAL64).doubleValue();
    }
  }

  /** A configured supernet with the pools carved from (or reserved inside) it. */
  public record SupernetView(IpPrefix supernet, int networkLength, BigInteger poolSlots, List<PoolView> pools) {}

  /** Everything at store revision {@code revision}; {@code outside} holds pools outside every supernet. */
  public record Snapshot(long revision, List<SupernetView> supernets, List<PoolView> outside) {
    public List<PoolView> allPools() {
      List<PoolView> all = new ArrayList<>();
      supernets.forEach(s -> all.addAll(s.pools()));
      all.addAll(outside);
      return all;
    }
  }

  /** The store's current revision: cheaper than a {@link #snapshot()} to see whether anything changed. */
  public long revision() {
    return store.revision();
  }

  /**
   * Everything, from one listing. Reads a store of either schema: in schema 1 (before the
   * migration) the holders are in the pool records, in schema 2 under {@code holders/<pool>/}.
   */
  public Snapshot snapshot() {
    long revision = store.revision();
    SortedMap<String, Versioned> all = store.list("");
    Versioned cfg = all.get(Keys.CONFIG);
    boolean schema1 = cfg != null && StateCodec.schemaOf(Keys.CONFIG, cfg.value()) == StateCodec.SCHEMA_1;
    SortedMap<String, Versioned> pools = all.subMap(Keys.POOLS, Keys.POOLS + Character.MAX_VALUE);
    SortedMap<String, Versioned> blocks = all.subMap(Keys.BLOCKS, Keys.BLOCKS + Character.MAX_VALUE);
    List<PoolView> views = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : pools.entrySet()) {
      if (e.getKey().equals(Keys.POOL_INDEX_V1)) {
        continue;
      }
      PoolRecord p = StateCodec.decodePool(e.getKey(), e.getValue().value());
      SortedSet<String> holders = schema1 ? StateCodec.decodePoolSchema1(e.getKey(), e.getValue().value()).holders() : holdersOf(all, p.prefix());
      List<BlockView> bv = new ArrayList<>();
      long used = 0;
      String prefix = Keys.blocksOf(p.prefix());
      for (Map.Entry<String, Versioned> be : blocks.subMap(prefix, prefix + Character.MAX_VALUE).entrySet()) {
        Block b = StateCodec.decodeBlock(be.getKey(), be.getValue().value());
        List<AddressView> av = new ArrayList<>(b.size());
        b.forEachAllocation((a, al) -> av.add(new AddressView(a, al.kind(), al.holders(), al.sinceMillis())));
        used += av.size();
        bv.add(new BlockView(b.block(), b.owner(), b.block().hostBits() > 62 ? Long.MAX_VALUE : b.block().sizeAsLong(), av.size(), av,
            b.cooling()));
      }
      views.add(new PoolView(p.prefix(), p.ipRange(), p.name(), p.dynamic(), holders, p.gateway(), p.prefix().size(), used, bv,
          PoolModes.of(p).placeholders()));
    }
    List<SupernetView> supernets = new ArrayList<>();
    List<PoolView> outside = new ArrayList<>(views);
    for (IpFamily f : IpFamily.values()) {
      Optional<IpPrefix> sn = config.supernet(f);
      if (sn.isEmpty()) {
        continue;
      }
      List<PoolView> inside = new ArrayList<>();
      for (PoolView v : views) {
        if (sn.get().contains(v.prefix())) {
          inside.add(v);
        }
      }
      outside.removeAll(inside);
      int len = config.networkLength(f);
      supernets.add(new SupernetView(sn.get(), len, sn.get().subPrefixCount(len), inside));
    }
    return new Snapshot(revision, supernets, outside);
  }

  /** The holders of {@code pool}: the last segment of its {@code holders/<pool>/} keys. */
  static SortedSet<String> holdersOf(SortedMap<String, Versioned> all, IpPrefix pool) {
    String prefix = Keys.holdersOf(pool);
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    all.subMap(prefix, prefix + Character.MAX_VALUE).keySet().forEach(k -> out.add(k.substring(prefix.length())));
    return out;
  }

  /** The pools a holder holds and the blocks it owns, by pool. */
  public SortedMap<IpPrefix, List<IpPrefix>> blocksOwnedBy(String holder) {
    TreeMap<IpPrefix, List<IpPrefix>> out = new TreeMap<>();
    for (PoolView p : snapshot().allPools()) {
      List<IpPrefix> mine = new ArrayList<>();
      p.blocks().stream().filter(b -> b.owner().equals(holder)).forEach(b -> mine.add(b.block()));
      if (!mine.isEmpty() || p.holders().contains(holder)) {
        out.put(p.prefix(), mine);
      }
    }
    return out;
  }

  /** The per-host service VIPs of {@code host}, by pool, then by service id. */
  public SortedMap<IpPrefix, SortedMap<String, IpAddress>> serviceVipsOf(String host) {
    TreeMap<IpPrefix, SortedMap<String, IpAddress>> out = new TreeMap<>();
    for (PoolView p : snapshot().allPools()) {
      TreeMap<String, IpAddress> vips = new TreeMap<>();
      for (BlockView b : p.blocks()) {
        for (AddressView a : b.addresses()) {
          for (String h : a.holders()) {
            VipHolder.parse(h).filter(v -> v.host().equals(host)).ifPresent(v -> vips.put(v.service(), a.address()));
          }
        }
      }
      if (!vips.isEmpty()) {
        out.put(p.prefix(), vips);
      }
    }
    return out;
  }
}
