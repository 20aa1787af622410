package org.clusteripam.core.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.clusteripam.core.alloc.PrefixConflictException;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The transactions behind RequestPool and ReleasePool: pure functions of what they read through a
 * {@link StateView}, safe to re-run. A join creates the holder's own key; a leave deletes it; only
 * creation, deletion (and the rare deletion mark) write shared keys.
 */
final class PoolTxns {
  private final IpamConfig config;
  private final long cooldownMillis;

  PoolTxns(IpamConfig config) {
    this.config = config;
    this.cooldownMillis = config.cooldown().toMillis();
  }

  /** The block length used inside {@code pool}: the configured one, or the pool itself if smaller. */
  int blockLength(IpPrefix pool) {
    return Math.max(config.blockLength(pool.family()), pool.length());
  }

  PoolRecord requestPoolTxn(
      StateView sv, PoolRequest req, String holder, Map<String, String> options, Optional<String> name, long now) {
    IpFamily family = req.pool().map(IpPrefix::family).orElse(req.v6() ? IpFamily.IPV6 : IpFamily.IPV4);
    Optional<IpPrefix> target = req.pool();
    Optional<IpPrefix> namedPool = name.flatMap(n -> sv.named(family, n)).filter(p -> sv.poolRecord(p).isPresent());
    if (target.isEmpty() && namedPool.isPresent()) {
      target = namedPool;
    }
    if (target.isPresent()) {
      Optional<PoolRecord> existing = sv.poolRecord(target.get());
      if (existing.isPresent()) {
        return joinPool(sv, existing.get(), req, holder, name, now);
      }
    }
    // A new pool: serialized with every creation and deletion of the family by carve/<family>.
    byte[] carveBytes = sv.carveBytes(family).orElse(null);
    CarveRecord carve = carveBytes == null ? CarveRecord.EMPTY : StateCodec.decodeCarve(Keys.carve(family), carveBytes);
    List<PoolRecord> pools = sv.poolsOf(family, carve);
    if (pools == null) {
      throw new StaleListing("pools of " + family);
    }
    IpPrefix prefix;
    boolean dynamic;
    if (target.isPresent()) {
      prefix = target.get();
      dynamic = false;
      for (PoolRecord r : pools) {
        if (r.prefix().overlaps(prefix)) {
          throw new ConflictException("pool " + prefix + " overlaps existing pool " + r.prefix());
        }
      }
      if (namedPool.isPresent()) {
        throw new ConflictException("network name \"" + name.get() + "\" already names pool " + namedPool.get());
      }
    } else {
      prefix = carve(sv.cache(), pools, family, carveBytes);
      dynamic = true;
    }
    AddressingMode mode = PoolModes.forRequest(prefix, blockLength(prefix), req.subPool(), options); // refuses bad options
    PoolRecord rec = new PoolRecord(prefix, req.subPool(), name, dynamic, options, blockLength(prefix), Optional.empty(), false);
    CarveRecord next = carve.created();
    sv.putCarve(family, next);
    if (carveBytes != null) {
      byte[] nextBytes = StateCodec.encode(next);
      config.supernet(family).filter(sn -> sn.contains(prefix))
          .ifPresent(sn -> sv.cache().advanceCarver(sn.toString(), carveBytes, nextBytes, prefix));
    }
    sv.put(rec);
    name.ifPresent(n -> sv.putName(family, n, prefix));
    sv.put(prefix, new HolderRecord(holder, Optional.empty()));
    sv.addHostPool(holder, prefix);
    mode.placeholders(); // validated above
    return rec;
  }

  private PoolRecord joinPool(StateView sv, PoolRecord rec, PoolRequest req, String holder, Optional<String> name, long now) {
    IpPrefix prefix = rec.prefix();
    if (req.subPool().isPresent() && !req.subPool().equals(rec.ipRange())) {
      throw new ConflictException("pool " + prefix + " already exists with "
          + rec.ipRange().map(r -> "ip-range " + r).orElse("no ip-range") + ", not ip-range " + req.subPool().get());
    }
    if (name.isPresent() && rec.name().isPresent() && !name.equals(rec.name())) {
      throw new ConflictException("pool " + prefix + " is network \"" + rec.name().get() + "\", not \"" + name.get() + "\"");
    }
    if (rec.deleting()) {
      // Its last holder is leaving: writing the record makes that deletion's compare fail.
      rec = rec.withDeleting(false);
      sv.put(rec);
    }
    Optional<HolderRecord> mine = sv.holder(prefix, holder);
    if (mine.isPresent()) {
      // A replay (dockerd's restore, a swarm manager after a leader change): open this holder's
      // window for re-requesting the addresses it holds. The swarm allocator needs none.
      if (!AddressingMode.GLOBAL_HOLDER.equals(holder)) {
        sv.put(prefix, new HolderRecord(holder, Optional.of(now)));
      }
      return rec;
    }
    sv.put(prefix, new HolderRecord(holder, Optional.empty()));
    sv.addHostPool(holder, prefix);
    if (rec.gateway().isPresent()) {
      // Docker uses a gateway announced in the grant without requesting it: hold it for this
      // holder too, or it could be freed (and handed out) while this host still routes through it.
      IpAddress g = rec.gateway().get();
      IpPrefix b = IpPrefix.containing(g, rec.blockLength());
      Optional<Block> blk = sv.block(prefix, b);
      if (blk.isPresent() && blk.get().allocation(g).filter(al -> !al.holders().contains(holder)).isPresent()) {
        sv.put(blk.get().share(g, holder));
      }
    }
    return rec;
  }

  private IpPrefix carve(DecodeCache cache, List<PoolRecord> pools, IpFamily family, byte[] carveBytes) {
    IpPrefix supernet = config.supernet(family).orElseThrow(() -> new InvalidRequestException(
        "no " + family + " supernet is configured, so an " + family + " pool needs an explicit subnet"));
    int length = config.networkLength(family);
    DecodeCache.Carved carved = carveBytes == null ? null : cache.lowestFree(supernet.toString(), carveBytes, length);
    if (carved != null && carved.prefix().isPresent()) {
      IpPrefix c = carved.prefix().get();
      if (pools.stream().anyMatch(r -> r.prefix().overlaps(c))) {
        carved = null; // the memo missed a pool (a creation of ours that did not commit): rebuild
      }
    }
    if (carved == null) {
      SupernetCarver carver = new SupernetCarver(supernet);
      for (PoolRecord r : pools) {
        IpPrefix p = r.prefix();
        if (p.contains(supernet)) {
          throw new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
              "no free /" + length + " pool in supernet " + supernet + ": pool " + p + " covers it");
        }
        if (supernet.contains(p)) {
          try {
            carver.reserve(p);
          } catch (PrefixConflictException ex) {
            throw new StoreCorruptException(Keys.pool(p), ex.getMessage(), ex);
          }
        }
      }
      carved = new DecodeCache.Carved(carver.lowestFree(length), carver.takenCount());
      if (carveBytes != null) {
        cache.rememberCarver(supernet.toString(), carveBytes, carver); // shared from here on: only under the cache's lock
      }
    }
    long inUse = carved.inUse();
    return carved.prefix().orElseThrow(() -> new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
        "no free /" + length + " pool left in supernet " + supernet + " (" + inUse + " pools in use)"));
  }

  /** What a leave did. */
  enum Left { NOTHING, LEFT, MARKED }

  /**
   * {@code holder} leaves: its key goes, its references are dropped and its blocks lose their
   * owner. When no other holder is seen, the pool is marked for deletion; {@link #deleteMarkedTxn}
   * then decides on a linearizable listing.
   */
  Left releasePoolTxn(StateView sv, IpPrefix prefix, String holder, long now) {
    Optional<PoolRecord> found = sv.poolRecord(prefix);
    if (found.isEmpty() || sv.holder(prefix, holder).isEmpty()) {
      return Left.NOTHING;
    }
    PoolRecord rec = found.get();
    sv.deleteHolder(prefix, holder);
    sv.removeHostPool(holder, prefix);
    if (PoolModes.of(rec).placeholders().isPresent()) {
      PerHostTxns.onPoolRelease(sv, prefix, holder, false);
    }
    // Only the blocks the holder owns (its affinity key) or holds addresses in are read tracked:
    // one compare per block of the pool would cap a pool at ~128 hosts in one etcd transaction.
    java.util.TreeSet<IpPrefix> touched = new java.util.TreeSet<>(sv.affinity(prefix, holder).blocks());
    for (Block b : sv.scanBlocks(prefix)) {
      if (b.owner().equals(holder) || b.anyHolder(h -> h.equals(holder) || VipHolder.isOf(h, holder))) {
        touched.add(b.block());
      }
    }
    for (IpPrefix blk : touched) {
      Optional<Block> current = sv.block(prefix, blk);
      if (current.isEmpty()) {
        continue;
      }
      Block b = current.get();
      // The holder's own references and, for a host, its service VIPs (which live in its blocks).
      Block nb = b.dropAll(h -> h.equals(holder) || VipHolder.isOf(h, holder), now, cooldownMillis);
      boolean mine = nb.owner().equals(holder);
      if (nb.isEmpty() && (mine || nb.owner().isEmpty())) {
        sv.deleteBlock(prefix, b.block());
        continue;
      }
      if (mine) {
        nb = nb.withOwner(""); // a host that left the pool keeps no affinity
      }
      if (!nb.equals(b)) {
        sv.put(nb);
      }
    }
    sv.deleteRaw(Keys.affinity(prefix, holder));
    PoolRecord nr = rec;
    if (nr.gateway().isPresent() && !isAllocated(sv, nr, nr.gateway().get())) {
      nr = nr.withGateway(Optional.empty());
    }
    boolean last = !sv.otherHolder(prefix, holder);
    if (last) {
      nr = nr.withDeleting(true);
    }
    if (!nr.equals(rec)) {
      sv.put(nr);
    }
    return last ? Left.MARKED : Left.LEFT;
  }

  /**
   * The second step of deleting a pool marked by the leave of its last holder: {@code listed} is a
   * linearizable listing of every key under the pool, taken after the mark was committed. A holder
   * that joined after the mark rewrote the pool record (this compare fails); one that joined before
   * is in the listing (the pool stays; the mark goes). Otherwise every key of the pool is deleted.
   * Returns whether the pool was deleted.
   */
  boolean deleteMarkedTxn(StateView sv, IpPrefix prefix, SortedSet<String> listed) {
    Optional<PoolRecord> found = sv.poolRecord(prefix);
    if (found.isEmpty() || !found.get().deleting()) {
      return false;
    }
    PoolRecord rec = found.get();
    String holders = Keys.holdersOf(prefix);
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    for (String k : listed) {
      if (sv.getRaw(k).isPresent()) { // tracked: a key that changes or goes fails the commit
        keys.add(k);
      }
    }
    for (String p : List.of(holders, Keys.affinityOf(prefix), Keys.blocksOf(prefix), Keys.placeholdersOf(prefix), Keys.catalogOf(prefix))) {
      keys.addAll(sv.listRaw(p).keySet());
    }
    if (keys.stream().anyMatch(k -> k.startsWith(holders))) {
      sv.put(rec.withDeleting(false)); // someone holds it: the pool stays
      return false;
    }
    keys.forEach(sv::deleteRaw);
    rec.name().ifPresent(n -> {
      if (sv.named(prefix.family(), n).filter(prefix::equals).isPresent()) {
        sv.deleteRaw(Keys.name(prefix.family(), n));
      }
    });
    sv.deleteRaw(Keys.pool(prefix));
    sv.putCarve(prefix.family(), sv.carve(prefix.family()).deleted());
    return true;
  }

  /** The key prefixes a pool's deletion lists. */
  static List<String> prefixesOf(IpPrefix prefix) {
    return List.of(Keys.holdersOf(prefix), Keys.affinityOf(prefix), Keys.blocksOf(prefix), Keys.placeholdersOf(prefix), Keys.catalogOf(prefix));
  }

  static boolean isAllocated(StateView sv, PoolRecord rec, IpAddress a) {
    IpPrefix b = IpPrefix.containing(a, rec.blockLength());
    return sv.block(rec.prefix(), b).map(x -> x.isAllocated(a)).orElse(false);
  }
}
