package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.AttachmentCodec;
import org.clusteripam.core.cni.CniKeys;
import org.clusteripam.core.engine.IpamQueries.AddressView;
import org.clusteripam.core.engine.IpamQueries.BlockView;
import org.clusteripam.core.engine.IpamQueries.PerHostPoolView;
import org.clusteripam.core.engine.IpamQueries.PoolView;
import org.clusteripam.core.engine.IpamQueries.Snapshot;
import org.clusteripam.core.engine.IpamQueries.SupernetView;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.NodeTasksCodec;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StoreSnapshot;
import org.clusteripam.core.store.Versioned;

/**
 * The one place that turns the store's keys and values into the read model ({@link Snapshot}).
 * Reads a store of either schema: in schema 1 (before the migration) the holders are in the pool
 * records, in schema 2 one {@code holders/<pool>/<holder>} key each.
 */
final class SnapshotDecoder {
  private SnapshotDecoder() {}

  static Snapshot decode(StoreSnapshot read, IpamConfig config) {
    SortedMap<String, Versioned> all = read.entries();
    Versioned cfg = all.get(Keys.CONFIG);
    boolean schema1 =
        cfg != null && StateCodec.schemaOf(Keys.CONFIG, cfg.value()) == StateCodec.SCHEMA_1;
    List<PoolView> views = new ArrayList<>();
    List<PerHostPoolView> perHost = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : read.under(Keys.POOLS).entrySet()) {
      if (!e.getKey().equals(Keys.POOL_INDEX_V1)) {
        views.add(pool(read, e.getKey(), e.getValue(), schema1));
        perHost(read, StateCodec.decodePool(e.getKey(), e.getValue().value()))
            .ifPresent(perHost::add);
      }
    }
    List<Attachment> attachments = new ArrayList<>();
    read.under(CniKeys.PREFIX)
        .forEach((k, v) -> attachments.add(AttachmentCodec.decode(k, v.value())));
    List<SupernetView> supernets = new ArrayList<>();
    List<PoolView> outside = new ArrayList<>(views);
    for (IpFamily f : IpFamily.values()) {
      Optional<IpPrefix> sn = config.supernet(f);
      if (sn.isEmpty()) {
        continue;
      }
      List<PoolView> inside = views.stream().filter(v -> sn.get().contains(v.prefix())).toList();
      outside.removeAll(inside);
      int len = config.networkLength(f);
      supernets.add(new SupernetView(sn.get(), len, sn.get().subPrefixCount(len), inside));
    }
    return new Snapshot(
        read.revision(),
        supernets,
        outside,
        attachments,
        cfg != null,
        perHost,
        AdvertisedAddresses.decode(read.under(Keys.ADVERTISE)).byHost());
  }

  /** The published inputs of {@code p} when it is a live per-host pool. */
  private static Optional<PerHostPoolView> perHost(StoreSnapshot read, PoolRecord p) {
    if (p.deleting() || PoolModes.of(p).placeholders().isEmpty()) {
      return Optional.empty();
    }
    List<CatalogService> catalog = new ArrayList<>();
    read.under(Keys.catalogOf(p.prefix()))
        .forEach((k, v) -> catalog.add(StateCodec.decodeCatalog(k, v.value())));
    List<NodeTasks> published = new ArrayList<>();
    read.under(Keys.tasksOf(p.prefix()))
        .forEach((k, v) -> published.add(NodeTasksCodec.decode(k, v.value())));
    return Optional.of(new PerHostPoolView(p.prefix(), catalog, published));
  }

  private static PoolView pool(StoreSnapshot read, String key, Versioned value, boolean schema1) {
    PoolRecord p = StateCodec.decodePool(key, value.value());
    TreeMap<Holder, Long> holders = new TreeMap<>();
    if (schema1) {
      StateCodec.decodePoolSchema1(key, value.value())
          .holders()
          .forEach(h -> holders.put(StateView.stored(key, h), value.modRevision()));
    } else {
      String prefix = Keys.holdersOf(p.prefix());
      read.under(prefix)
          .forEach((k, v) -> holders.put(StateView.holderOfKey(k, prefix), v.modRevision()));
    }
    List<BlockView> blocks = blocks(read.under(Keys.blocksOf(p.prefix())));
    long used = blocks.stream().mapToLong(BlockView::used).sum();
    List<PlaceholderMapping> mappings = new ArrayList<>();
    read.under(Keys.placeholdersOf(p.prefix()))
        .forEach((k, v) -> mappings.add(StateCodec.decodeMapping(k, v.value())));
    mappings.sort(Comparator.comparing(PlaceholderMapping::placeholder));
    return new PoolView(
        p.prefix(),
        p.ipRange(),
        p.name(),
        p.dynamic(),
        holders,
        p.gateway(),
        p.prefix().size(),
        used,
        blocks,
        PoolModes.of(p).placeholders(),
        mappings,
        value.modRevision());
  }

  /**
   * The blocks of one pool, from every key under its {@code blocks/<pool>/} prefix, in key order: a
   * chunked block is read with its chunk keys, and its revision is the latest of them all.
   */
  static List<BlockView> blocks(SortedMap<String, Versioned> keys) {
    List<BlockView> out = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : keys.entrySet()) {
      if (Keys.isBlockChunk(e.getKey())) {
        continue; // read with its block
      }
      Block b =
          StateCodec.decodeBlock(
              e.getKey(),
              e.getValue().value(),
              k -> Optional.ofNullable(keys.get(k)).map(Versioned::value));
      long rev = e.getValue().modRevision();
      for (Versioned c :
          keys.subMap(e.getKey() + "/", e.getKey() + "/" + Character.MAX_VALUE).values()) {
        rev = Math.max(rev, c.modRevision());
      }
      List<AddressView> av = new ArrayList<>(b.size());
      b.forEachAllocation(
          (a, al) -> av.add(new AddressView(a, al.kind(), al.holders(), al.sinceMillis())));
      out.add(
          new BlockView(
              b.block(),
              b.owner(),
              b.block().hostBits() > 62 ? Long.MAX_VALUE : b.block().sizeAsLong(),
              av.size(),
              av,
              b.cooling(),
              rev));
    }
    return out;
  }
}
