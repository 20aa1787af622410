package org.clusteripam.core.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.LbPlanner;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.core.reconcile.StoredAddress;
import org.clusteripam.core.reconcile.StoredPool;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;

/**
 * The read model: read-only views of the whole state for {@code show}, {@code check}, metrics, the
 * daemon's {@code /v1/*} endpoints and reconciliation — supernet → pools → blocks → addresses, with
 * utilization, holders, placeholder mappings, CNI attachments and per-host mode's published inputs
 * (catalogs, node task publications, advertised addresses), each with the store revision of its
 * last write. Decoded once ({@link SnapshotDecoder}) from one consistent {@link
 * StateStore#snapshot}; never on a request path.
 */
public final class IpamQueries {
  private final StateStore store;
  private final IpamConfig config;

  public IpamQueries(StateStore store, IpamConfig config) {
    this.store = store;
    this.config = config;
  }

  /** One allocated address; its holders in the order of their stored strings. */
  public record AddressView(
      IpAddress address, AddressKind kind, SortedSet<Holder> holders, long sinceMillis) {
    /** The service whose per-host VIP this is (the host is the block's owner), if it is one. */
    public Optional<String> vipService() {
      return vip().map(Holder.Vip::service);
    }

    /** The host whose per-host VIP this is, if it is one. */
    public Optional<String> vipHost() {
      return vip().map(v -> v.node().value());
    }

    private Optional<Holder.Vip> vip() {
      return holders.stream()
          .filter(Holder.Vip.class::isInstance)
          .map(Holder.Vip.class::cast)
          .findFirst();
    }
  }

  /**
   * One host block: its owner (if any), size (saturating at Long.MAX_VALUE), addresses in use,
   * released addresses still in their reuse cooldown (with the release time), and the store
   * revision of the block's last write.
   */
  public record BlockView(
      IpPrefix block,
      Optional<Holder> owner,
      long size,
      long used,
      List<AddressView> addresses,
      SortedMap<IpAddress, Long> cooling,
      long modRevision) {
    public BlockView(
        IpPrefix block, Optional<Holder> owner, long size, long used, List<AddressView> addresses) {
      this(block, owner, size, used, addresses, new TreeMap<>(), 0);
    }

    /** Whether {@code holder} has affinity to the block. */
    public boolean isOwnedBy(Holder holder) {
      return owner.isPresent() && owner.get().equals(holder);
    }

    /**
     * This block with only {@code shown} of its addresses listed (its use still counts them all).
     */
    public BlockView withAddresses(List<AddressView> shown) {
      return new BlockView(block, owner, size, used, shown, cooling, modRevision);
    }

    /** How many of the used addresses are per-host service VIPs. */
    public long serviceVips() {
      return addresses.stream().filter(a -> a.vipService().isPresent()).count();
    }
  }

  /**
   * One pool with its blocks. {@code size} counts every address, {@code used} the allocated ones;
   * {@code placeholders} is the placeholder range of a per-host pool (empty in cluster mode) and
   * {@code mappings} its placeholder mappings; {@code holderRevisions} maps each holder to the
   * store revision of its holding (in schema 1, the pool record's), {@code modRevision} is the pool
   * record's.
   */
  public record PoolView(
      IpPrefix prefix,
      Optional<IpPrefix> ipRange,
      Optional<String> name,
      boolean dynamic,
      SortedMap<Holder, Long> holderRevisions,
      Optional<IpAddress> gateway,
      BigInteger size,
      long used,
      List<BlockView> blocks,
      Optional<IpPrefix> placeholders,
      List<PlaceholderMapping> mappings,
      long modRevision) {

    public PoolView {
      holderRevisions = Collections.unmodifiableSortedMap(new TreeMap<>(holderRevisions));
      blocks = List.copyOf(blocks);
      mappings = List.copyOf(mappings);
    }

    /** Who holds the pool, in the order of their stored strings. */
    public SortedSet<Holder> holders() {
      return Collections.unmodifiableSortedSet(new TreeSet<>(holderRevisions.keySet()));
    }

    /** This pool with only {@code shown} of its blocks and mappings listed. */
    public PoolView with(List<BlockView> shown, List<PlaceholderMapping> shownMappings) {
      return new PoolView(
          prefix,
          ipRange,
          name,
          dynamic,
          holderRevisions,
          gateway,
          size,
          used,
          shown,
          placeholders,
          shownMappings,
          modRevision);
    }

    /** How many of the used addresses are per-host service VIPs. */
    public long serviceVips() {
      return blocks.stream().mapToLong(BlockView::serviceVips).sum();
    }

    /** Used fraction of the pool, 0..1 (tiny for IPv6 pools). */
    public double utilization() {
      return new java.math.BigDecimal(used)
          .divide(new java.math.BigDecimal(size), java.math.MathContext.DECIMAL64)
          .doubleValue();
    }
  }

  /** A configured supernet with the pools carved from (or reserved inside) it. */
  public record SupernetView(
      IpPrefix supernet, int networkLength, BigInteger poolSlots, List<PoolView> pools) {}

  /**
   * A live per-host pool's published inputs: the service catalog a manager published and every
   * node's publication of its running tasks (by host). Its mappings and VIPs are in its {@link
   * PoolView}.
   */
  public record PerHostPoolView(
      IpPrefix pool, List<CatalogService> catalog, List<NodeTasks> published) {
    public PerHostPoolView {
      catalog = List.copyOf(catalog);
      published = List.copyOf(published);
    }
  }

  /**
   * The read model: everything at store revision {@code revision}, decoded once from one consistent
   * read. {@code outside} holds pools outside every supernet; {@code attachments} every host's CNI
   * attachments; {@code carved} whether the store records a carving (an engine has opened it);
   * {@code perHost} the live per-host pools' published inputs, by pool; {@code advertised} the
   * address every host advertises for routes to its blocks (stored values that do not parse are
   * left out).
   */
  public record Snapshot(
      long revision,
      List<SupernetView> supernets,
      List<PoolView> outside,
      List<Attachment> attachments,
      boolean carved,
      List<PerHostPoolView> perHost,
      SortedMap<HostId, IpAddress> advertised) {
    public Snapshot {
      supernets = List.copyOf(supernets);
      outside = List.copyOf(outside);
      attachments = List.copyOf(attachments);
      perHost = List.copyOf(perHost);
      advertised = Collections.unmodifiableSortedMap(new TreeMap<>(advertised));
    }

    /** The pool {@code prefix}, if the snapshot has it. */
    public Optional<PoolView> pool(IpPrefix prefix) {
      return allPools().stream().filter(p -> p.prefix().equals(prefix)).findFirst();
    }

    /**
     * {@code host}'s load balancer as it should be: for every live per-host pool the host holds,
     * the catalog, the mappings, the nodes' publications and the host's own service VIPs.
     */
    public LbDesiredState lbDesiredState(HostId host) {
      List<LbPlanner.PoolState> pools = new ArrayList<>();
      for (PerHostPoolView ph : perHost) {
        Optional<PoolView> p = pool(ph.pool());
        if (p.isEmpty() || !p.get().holderRevisions().containsKey(Holder.of(host))) {
          continue;
        }
        TreeMap<String, IpAddress> vips = new TreeMap<>();
        for (BlockView b : p.get().blocks()) {
          if (!b.isOwnedBy(Holder.of(host))) {
            continue;
          }
          for (AddressView a : b.addresses()) {
            for (Holder h : a.holders()) {
              vipOf(h, host).ifPresent(v -> vips.putIfAbsent(v.service(), a.address()));
            }
          }
        }
        pools.add(
            new LbPlanner.PoolState(
                ph.pool(), ph.catalog(), p.get().mappings(), vips, ph.published()));
      }
      return LbPlanner.plan(host, pools);
    }

    public List<PoolView> allPools() {
      List<PoolView> all = new ArrayList<>();
      supernets.forEach(s -> all.addAll(s.pools()));
      all.addAll(outside);
      return all;
    }

    /** The CNI attachments of {@code host}. */
    public List<Attachment> attachmentsOf(HostId host) {
      return attachments.stream().filter(a -> a.host().equals(host.value())).toList();
    }
  }

  /**
   * The store's current revision: cheaper than a {@link #snapshot()} to see whether anything
   * changed.
   */
  public long revision() {
    return store.revision();
  }

  /** Everything, from one consistent read of the store ({@link StateStore#snapshot}). */
  public Snapshot snapshot() {
    return SnapshotDecoder.decode(store.snapshot(""), config);
  }

  /**
   * What reconciliation compares with Docker for {@code host}, from a fresh snapshot, guarded by
   * its own revision.
   */
  public StoreView storeView(HostId host) {
    Snapshot s = snapshot();
    return storeView(s, s.revision(), host);
  }

  /**
   * What reconciliation compares with Docker for {@code host}, from a fresh snapshot, labelled with
   * {@code guard} (taken before Docker was read: anything written after it may be an allocation
   * Docker does not show yet).
   */
  public StoreView storeView(long guard, HostId host) {
    return storeView(snapshot(), guard, host);
  }

  /**
   * {@code s} as reconciliation sees it for {@code host}: pools named as this engine names them to
   * Docker.
   */
  public StoreView storeView(Snapshot s, long guard, HostId host) {
    List<StoredPool> pools = new ArrayList<>();
    List<StoredAddress> addresses = new ArrayList<>();
    for (PoolView p : s.allPools()) {
      PoolId id = new PoolRef(config.addressSpaces().local(), false, p.prefix()).id();
      Long held = p.holderRevisions().get(Holder.of(host));
      pools.add(
          new StoredPool(
              id, p.prefix(), held != null, Math.max(p.modRevision(), held == null ? 0 : held)));
      for (BlockView b : p.blocks()) {
        for (AddressView a : b.addresses()) {
          addresses.add(
              new StoredAddress(
                  id,
                  a.address(),
                  a.holders(),
                  b.modRevision(),
                  a.sinceMillis(),
                  a.kind() == AddressKind.GATEWAY));
        }
      }
    }
    return new StoreView(guard, pools, addresses);
  }

  /**
   * The default configuration with the carving recorded in {@code store} (supernets, network and
   * block lengths), for tools that read a store some daemon carved; the defaults where none is.
   */
  public static IpamConfig recordedConfig(StateStore store) {
    IpamConfig.Builder b = IpamConfig.builder();
    store
        .peek(Keys.CONFIG)
        .map(v -> StateCodec.decodeConfig(Keys.CONFIG, v.value()))
        .ifPresent(cc -> b.family(cc.v4()).family(cc.v6()));
    return b.build();
  }

  /** The pools a holder holds and the blocks it owns, by pool. */
  public SortedMap<IpPrefix, List<IpPrefix>> blocksOwnedBy(Holder holder) {
    TreeMap<IpPrefix, List<IpPrefix>> out = new TreeMap<>();
    for (PoolView p : snapshot().allPools()) {
      List<IpPrefix> mine = new ArrayList<>();
      p.blocks().stream().filter(b -> b.isOwnedBy(holder)).forEach(b -> mine.add(b.block()));
      if (!mine.isEmpty() || p.holderRevisions().containsKey(holder)) {
        out.put(p.prefix(), mine);
      }
    }
    return out;
  }

  /** The per-host service VIPs of {@code host}, by pool, then by service id. */
  public SortedMap<IpPrefix, SortedMap<String, IpAddress>> serviceVipsOf(HostId host) {
    TreeMap<IpPrefix, SortedMap<String, IpAddress>> out = new TreeMap<>();
    for (PoolView p : snapshot().allPools()) {
      TreeMap<String, IpAddress> vips = new TreeMap<>();
      for (BlockView b : p.blocks()) {
        for (AddressView a : b.addresses()) {
          for (Holder h : a.holders()) {
            vipOf(h, host).ifPresent(v -> vips.put(v.service(), a.address()));
          }
        }
      }
      if (!vips.isEmpty()) {
        out.put(p.prefix(), vips);
      }
    }
    return out;
  }

  /** The VIP a holder is, if it is one of {@code host}'s. */
  private static Optional<Holder.Vip> vipOf(Holder holder, HostId host) {
    return Optional.of(holder)
        .filter(Holder.Vip.class::isInstance)
        .map(Holder.Vip.class::cast)
        .filter(v -> v.node().equals(host));
  }
}
