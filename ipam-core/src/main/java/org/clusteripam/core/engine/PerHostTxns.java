package org.clusteripam.core.engine;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.NodeTasksCodec;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.TaskAddress;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;

/**
 * The transactions of per-host pools: mapping a placeholder to an address of the requesting host's
 * blocks, dropping a mapping with either side, and publishing the service catalog. Pure functions
 * of what they read.
 */
final class PerHostTxns {
  private final IpamConfig config;
  private final AddressTxns addressTxns;

  PerHostTxns(IpamConfig config, AddressTxns addressTxns) {
    this.config = config;
    this.addressTxns = addressTxns;
  }

  /**
   * A host asks for {@code placeholder}: the address it already maps it to (a replay), or a new
   * address of its own blocks, recorded as the placeholder's mapping. A newer mapping of the same
   * placeholder replaces an older one of another host (swarm gave the placeholder to a new task);
   * that host keeps its address until it releases it.
   */
  IpAddress mappedTxn(
      StateView sv, IpPrefix pool, Holder host, IpAddress placeholder, long now, Candidates cands) {
    PoolRecord rec =
        sv.pool(pool, host).orElseThrow(() -> new UnknownPoolException(new PoolId("pool/" + pool)));
    AddressingMode mode = PoolModes.of(rec);
    if (mode.placeholders().filter(r -> r.contains(placeholder)).isEmpty()) {
      // The pool changed since the caller's hint: an ordinary preferred address.
      return addressTxns.preferredTxn(sv, pool, host, placeholder, AddressKind.ENDPOINT, now);
    }
    Optional<PlaceholderMapping> existing = sv.mapping(pool, placeholder);
    if (existing.isPresent() && host.equals(Holder.of(existing.get().host()))) {
      IpAddress a = existing.get().actual();
      Allocation al =
          sv.block(pool, IpPrefix.containing(a, rec.blockLength()))
              .flatMap(b -> b.allocation(a))
              .orElse(null);
      if (al != null
          && al.holders().contains(host)
          && al.placeholder().equals(Optional.of(placeholder))) {
        return a; // a replay: swarm gives every task its own placeholder
      }
    }
    IpAddress a =
        addressTxns.slowDynamicTxn(sv, pool, host, AddressKind.ENDPOINT, false, now, cands);
    Block blk = sv.block(pool, IpPrefix.containing(a, rec.blockLength())).orElseThrow();
    sv.put(blk.withPlaceholder(a, placeholder));
    sv.put(new PlaceholderMapping(pool, placeholder, host.host().orElseThrow(), a, now));
    return a;
  }

  /**
   * {@code host} released {@code actual}, which stood for {@code placeholder}: the mapping goes if
   * it is still theirs.
   */
  static void dropMappingOfActual(
      StateView sv, IpPrefix pool, Holder host, IpAddress actual, IpAddress placeholder) {
    sv.mapping(pool, placeholder)
        .filter(m -> host.equals(Holder.of(m.host())) && m.actual().equals(actual))
        .ifPresent(m -> sv.deleteMapping(pool, placeholder));
  }

  /**
   * The swarm allocator released {@code placeholder}: its mapping goes (the host keeps its address
   * until it releases it).
   */
  static void dropMappingOfPlaceholder(StateView sv, IpPrefix pool, IpAddress placeholder) {
    if (sv.mapping(pool, placeholder).isPresent()) {
      sv.deleteMapping(pool, placeholder);
    }
  }

  /**
   * A holder leaves a per-host pool: a host's mappings go with its addresses; when the swarm
   * allocator leaves (the network is removed) or the pool goes, every mapping and the catalog go.
   */
  static void onPoolRelease(StateView sv, IpPrefix pool, Holder holder, boolean last) {
    boolean all = last || Holder.GLOBAL.equals(holder);
    for (PlaceholderMapping m : sv.mappings(pool)) {
      if (all || holder.equals(Holder.of(m.host()))) {
        sv.deleteMapping(pool, m.placeholder());
      }
    }
    if (all) {
      sv.catalogBytes(pool).keySet().forEach(sv::deleteRaw);
      sv.listRaw(Keys.tasksOf(pool)).keySet().forEach(sv::deleteRaw);
    } else if (sv.getRaw(Keys.tasks(pool, holder.format())).isPresent()) {
      // a node leaving the pool (or reclaimed) runs no task there any more
      sv.deleteRaw(Keys.tasks(pool, holder.format()));
    }
  }

  /**
   * Makes {@code host}'s publication of {@code pool} exactly {@code tasks} (none: no key). Reads
   * and writes only the host's own key, so nodes publishing at once never conflict. Pools that are
   * gone, not per-host, or not held by the host get no publication (a stale one is deleted).
   * Returns whether the key changed.
   */
  static boolean publishTasksTxn(
      StateView sv, IpPrefix pool, HostId host, List<TaskAddress> tasks) {
    String key = Keys.tasks(pool, host.value());
    Optional<PoolRecord> rec = sv.livePool(pool);
    boolean eligible =
        rec.isPresent()
            && PoolModes.of(rec.get()).placeholders().isPresent()
            && sv.holder(pool, Holder.of(host)).isPresent();
    Optional<byte[]> old = sv.getRaw(key);
    if (!eligible || tasks.isEmpty()) {
      old.ifPresent(b -> sv.deleteRaw(key));
      return old.isPresent();
    }
    byte[] bytes = NodeTasksCodec.encode(new NodeTasks(pool, host, tasks));
    if (old.isPresent() && Arrays.equals(old.get(), bytes)) {
      return false;
    }
    sv.putRaw(key, bytes);
    return true;
  }

  /**
   * Makes the stored catalog of {@code pool} exactly {@code services}; the number of keys changed.
   */
  int publishTxn(StateView sv, IpPrefix pool, List<CatalogService> services) {
    Optional<PoolRecord> rec = sv.livePool(pool);
    if (rec.isEmpty() || PoolModes.of(rec.get()).placeholders().isEmpty()) {
      return 0;
    }
    SortedMap<String, byte[]> stored = new TreeMap<>(sv.catalogBytes(pool));
    int changed = 0;
    for (CatalogService s : services) {
      String key = Keys.catalog(pool, s.serviceId());
      byte[] bytes = StateCodec.encode(s);
      byte[] old = stored.remove(key);
      if (old == null || !Arrays.equals(old, bytes)) {
        sv.putRaw(key, bytes);
        changed++;
      }
    }
    for (String gone : stored.keySet()) {
      sv.deleteRaw(gone);
      changed++;
    }
    return changed;
  }
}
