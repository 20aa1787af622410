package org.clusteripam.core.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;

/**
 * The transactions behind RequestPool and ReleasePool: pure functions of what they read through a
 * {@link StateView}, safe to re-run. A join creates the holder's own key; a leave deletes it; only
 * creation, deletion (and the rare deletion mark) write shared keys.
 */
final class PoolTxns {
  private final IpamConfig config;
  private final long cooldownMillis;
  private final PoolCarving carving;

  private final int deleteBatch;

  PoolTxns(IpamConfig config) {
    this(config, DELETE_BATCH);
  }

  PoolTxns(IpamConfig config, int deleteBatch) {
    if (deleteBatch < 1 || deleteBatch > DELETE_BATCH) {
      throw new IllegalArgumentException("deletion batch " + deleteBatch + " out of range");
    }
    this.deleteBatch = deleteBatch;
    this.config = config;
    this.carving = new PoolCarving(config);
    this.cooldownMillis = config.cooldown().toMillis();
  }

  /**
   * The block length used inside {@code pool}: the configured one, or the pool itself if smaller.
   */
  int blockLength(IpPrefix pool) {
    return Math.max(config.blockLength(pool.family()), pool.length());
  }

  PoolRecord requestPoolTxn(
      StateView sv,
      PoolRequest req,
      Holder holder,
      Map<String, String> options,
      Optional<String> name,
      long now) {
    IpFamily family =
        req.pool().map(IpPrefix::family).orElse(req.v6() ? IpFamily.IPV6 : IpFamily.IPV4);
    Optional<IpPrefix> target = req.pool();
    Optional<IpPrefix> namedPool =
        name.flatMap(n -> sv.named(family, n)).filter(p -> sv.poolRecord(p).isPresent());
    if (target.isEmpty() && namedPool.isPresent()) {
      target = namedPool;
    }
    if (target.isPresent()) {
      Optional<PoolRecord> existing = sv.poolRecord(target.get());
      if (existing.isPresent()) {
        return joinPool(sv, existing.get(), req, holder, name, now);
      }
    }
    // A new pool: guarded by the carving ranges it overlaps (or carve/<family> outside the
    // supernet), never by a key every creation writes.
    IpPrefix prefix;
    boolean dynamic;
    if (target.isPresent()) {
      prefix = target.get();
      dynamic = false;
      if (namedPool.isPresent()) {
        throw new ConflictException(
            "network name \"" + name.get() + "\" already names pool " + namedPool.get());
      }
      carving.reserve(sv, prefix);
    } else {
      prefix = carving.carve(sv, family, holder);
      dynamic = true;
    }
    // refuses bad options
    AddressingMode mode = PoolModes.forRequest(prefix, blockLength(prefix), req.subPool(), options);
    PoolRecord rec = created(prefix, req, options, name, dynamic);
    sv.put(rec);
    name.ifPresent(n -> sv.putName(family, n, prefix));
    sv.put(prefix, new HolderRecord(holder, Optional.empty()));
    sv.addHostPool(holder, prefix);
    mode.placeholders(); // validated above
    return rec;
  }

  /**
   * The record a creation writes: the same bytes for the same request, whichever host creates it.
   */
  private PoolRecord created(
      IpPrefix prefix,
      PoolRequest req,
      Map<String, String> options,
      Optional<String> name,
      boolean dynamic) {
    return new PoolRecord(
        prefix, req.subPool(), name, dynamic, options, blockLength(prefix), Optional.empty());
  }

  /**
   * What a peer creating the same explicit subnet at the same moment writes (the record, the name):
   * where it commits first, the store may commit this request's join of it in the same round trip.
   * Empty for a carved pool, which no peer creates alike.
   */
  Map<String, byte[]> presumedCreation(
      PoolRequest req, Map<String, String> options, Optional<String> name) {
    if (req.pool().isEmpty()) {
      return Map.of();
    }
    IpPrefix prefix = req.pool().get();
    Map<String, byte[]> out = new java.util.HashMap<>();
    out.put(Keys.pool(prefix), StateCodec.encode(created(prefix, req, options, name, false)));
    name.ifPresent(n -> out.put(Keys.name(prefix.family(), n), StateCodec.encodeName(prefix)));
    return out;
  }

  private PoolRecord joinPool(
      StateView sv,
      PoolRecord rec,
      PoolRequest req,
      Holder holder,
      Optional<String> name,
      long now) {
    IpPrefix prefix = rec.prefix();
    if (req.subPool().isPresent() && !req.subPool().equals(rec.ipRange())) {
      throw new ConflictException(
          "pool "
              + prefix
              + " already exists with "
              + rec.ipRange().map(r -> "ip-range " + r).orElse("no ip-range")
              + ", not ip-range "
              + req.subPool().get());
    }
    if (name.isPresent() && rec.name().isPresent() && !name.equals(rec.name())) {
      throw new ConflictException(
          "pool "
              + prefix
              + " is network \""
              + rec.name().get()
              + "\", not \""
              + name.get()
              + "\"");
    }
    if (rec.deleting()) {
      // Its last holder is leaving: writing the record makes that deletion's compare fail.
      rec = rec.unmarked();
      sv.put(rec);
    }
    Optional<HolderRecord> mine = sv.holder(prefix, holder);
    if (mine.isPresent()) {
      // A replay (dockerd's restore, a swarm manager after a leader change): open this holder's
      // window for re-requesting the addresses it holds. The swarm allocator needs none.
      if (!Holder.GLOBAL.equals(holder)) {
        sv.put(prefix, new HolderRecord(holder, Optional.of(now)));
      }
      return rec;
    }
    // Only keys this holder owns: Docker uses a gateway announced in the grant without requesting
    // it, and the gateway stays allocated while any holder of the pool is left (a release by its
    // last holder in the block hands it to another holder of the pool).
    sv.put(prefix, new HolderRecord(holder, Optional.empty()));
    sv.addHostPool(holder, prefix);
    return rec;
  }

  /** What a leave did. */
  enum Left {
    NOTHING,
    LEFT,
    MARKED
  }

  /**
   * {@code holder} leaves: its key goes, its references are dropped and its blocks lose their
   * owner. No other holder's key is read: in a storm of leaves each would be deleted under the
   * reader, so the leave would conflict with every other one. When the cached view shows no other
   * holder, the pool is marked for deletion here; otherwise the engine lists the holders
   * (linearizable) after the commit and marks it if none is left: the last leave to commit lists
   * after every other one, so a pool is never left behind. {@link #deleteMarkedTxn} then decides.
   */
  Left releasePoolTxn(StateView sv, IpPrefix prefix, Holder holder, long now, long markToken) {
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
    java.util.TreeSet<IpPrefix> touched =
        new java.util.TreeSet<>(sv.affinity(prefix, holder).blocks());
    for (Block b : sv.scanBlocks(prefix)) {
      if (b.isOwnedBy(holder) || b.anyHolder(holder::isSelfOrVipOf)) {
        touched.add(b.block());
      }
    }
    Optional<IpAddress> gateway = rec.gateway();
    for (IpPrefix blk : touched) {
      Optional<Block> current = sv.block(prefix, blk);
      if (current.isEmpty()) {
        continue;
      }
      Block b = current.get();
      if (gateway.isPresent() && b.block().contains(gateway.get())) {
        IpAddress g = gateway.get();
        Optional<Holder> heir =
            b.allocation(g)
                .flatMap(al -> ClusterIpam.announcedGatewayHeir(sv, prefix, al, g, holder));
        if (heir.isPresent()) {
          b = b.share(g, heir.get()); // the other holders still use it
        }
      }
      // The holder's own references and, for a host, its service VIPs (which live in its blocks).
      Block nb = b.dropAll(holder::isSelfOrVipOf, now, cooldownMillis);
      boolean mine = nb.isOwnedBy(holder);
      if (nb.isEmpty() && (mine || nb.owner().isEmpty())) {
        sv.deleteBlock(prefix, b.block());
        continue;
      }
      if (mine) {
        nb = nb.withOwner(Optional.empty()); // a host that left the pool keeps no affinity
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
    String mine = Keys.holder(prefix, holder);
    // Only the leave that sets the mark deletes: late leaves of a storm do not all delete at once.
    boolean last =
        !rec.deleting()
            && sv.scanRaw(Keys.holdersOf(prefix)).keySet().stream().allMatch(mine::equals);
    if (last) {
      nr = nr.marked(markToken);
    }
    if (!nr.equals(rec)) {
      sv.put(nr);
    }
    return last ? Left.MARKED : Left.LEFT;
  }

  /**
   * Marks {@code prefix} for deletion after a linearizable listing showed no holder left. Returns
   * whether this call set the mark: only the leave that sets it runs the deletion, so the many
   * leaves that list an empty pool at the end of a storm do not all delete the same keys. {@code
   * token} must differ from every earlier mark's (see {@link PoolRecord#mark}).
   */
  boolean markTxn(StateView sv, IpPrefix prefix, long token) {
    Optional<PoolRecord> found = sv.poolRecord(prefix);
    if (found.isEmpty() || found.get().deleting()) {
      return false;
    }
    sv.put(found.get().marked(token));
    return true;
  }

  /** What one step of a deletion did. */
  enum Deletion {
    /** The pool stays: not marked (any more), or a holder is there (the mark is cleared). */
    KEPT,
    /** Some of the pool's keys were deleted (or the listing was too old): list again. */
    MORE,
    /** The pool and all its keys are gone. */
    DELETED
  }

  /** Keys deleted per transaction: with the few other compares, below etcd's 128 per txn. */
  static final int DELETE_BATCH = 96;

  /** Listed holder keys re-read per transaction. */
  static final int HOLDER_READS = 16;

  /**
   * One step of deleting a pool marked by the leave of its last holder: {@code listed} is a
   * linearizable listing of every key under the pool (key to value), taken after the mark {@code
   * mark} was read from the committed record; a different mark now means the listing is too old. A
   * holder that joined after the mark rewrote the pool record (this compare fails); one that joined
   * before is in the listing (the pool stays; the mark goes). Otherwise the pool's keys are
   * deleted, at most {@link #DELETE_BATCH} per step, each only if it still holds the listed value;
   * the last step deletes the record, its name and its count. Each step is bounded in size,
   * whatever the pool holds; between steps the pool stays marked, so a join still clears the mark
   * (and keeps what is left) and {@code finishDeletions} completes an interrupted deletion.
   */
  Deletion deleteMarkedTxn(
      StateView sv, IpPrefix prefix, long mark, SortedMap<String, byte[]> listed) {
    Optional<PoolRecord> found = sv.poolRecord(prefix);
    if (found.isEmpty() || !found.get().deleting()) {
      return Deletion.KEPT;
    }
    PoolRecord rec = found.get();
    if (rec.mark() != mark) {
      // Cleared by a join and set again by another leave since the listing was taken: the
      // listing may miss that join's holder key (same record bytes but for the token).
      return Deletion.MORE;
    }
    String holders = Keys.holdersOf(prefix);
    // Holders first, so that nothing is deleted in a transaction that finds one. Only the listed
    // ones: a holder that joined since rewrote the record, and this view's cache may still show
    // many that left (each would cost a conflict).
    List<String> holderKeys = listed.keySet().stream().filter(k -> k.startsWith(holders)).toList();
    int read = 0;
    for (String k : holderKeys) {
      if (read++ == HOLDER_READS) {
        return Deletion.MORE; // many holders listed that left since: list again
      }
      if (sv.getRaw(k).isPresent()) { // tracked: it is still there at commit
        sv.put(rec.unmarked()); // someone holds it: the pool stays
        return Deletion.KEPT;
      }
    }
    // The pool's other keys: the listing's and any this view knows of (untracked: each one acted
    // on is read tracked below).
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    listed.keySet().stream().filter(k -> !k.startsWith(holders)).forEach(keys::add);
    for (String p : prefixesOf(prefix)) {
      if (!p.equals(holders)) {
        keys.addAll(sv.scanRaw(p).keySet());
      }
    }
    int n = 0;
    boolean changed = false;
    for (String k : keys) {
      if (n == deleteBatch) {
        return Deletion.MORE;
      }
      Optional<byte[]> now = sv.getRaw(k); // tracked: one compare each, bounded per step
      n++;
      if (now.isEmpty()) {
        continue;
      }
      byte[] was = listed.get(k);
      if (was != null && !java.util.Arrays.equals(was, now.get())) {
        changed = true; // not the value the listing showed dead (or a stale view): list again
        continue;
      }
      sv.deleteRaw(k);
    }
    if (changed) {
      return Deletion.MORE;
    }
    rec.name()
        .ifPresent(
            nm -> {
              if (sv.named(prefix.family(), nm).filter(prefix::equals).isPresent()) {
                sv.deleteRaw(Keys.name(prefix.family(), nm));
              }
            });
    sv.deleteRaw(Keys.pool(prefix));
    carving.deleted(sv, prefix);
    return Deletion.DELETED;
  }

  /**
   * After the deletion following {@code holder}'s leave failed: {@code holder} holds the pool again
   * if it is still marked (nobody joined, nobody finished the deletion), so no pool is left without
   * a holder. Whether it was restored.
   */
  boolean undoLeaveTxn(StateView sv, IpPrefix prefix, Holder holder) {
    Optional<PoolRecord> found = sv.poolRecord(prefix);
    if (found.isEmpty() || !found.get().deleting()) {
      return false;
    }
    sv.put(found.get().unmarked());
    sv.put(prefix, new HolderRecord(holder, Optional.empty()));
    sv.addHostPool(holder, prefix);
    return true;
  }

  /** The key prefixes a pool's deletion lists. */
  static List<String> prefixesOf(IpPrefix prefix) {
    return List.of(
        Keys.holdersOf(prefix),
        Keys.affinityOf(prefix),
        Keys.blocksOf(prefix),
        Keys.placeholdersOf(prefix),
        Keys.catalogOf(prefix));
  }

  static boolean isAllocated(StateView sv, PoolRecord rec, IpAddress a) {
    IpPrefix b = IpPrefix.containing(a, rec.blockLength());
    return sv.block(rec.prefix(), b).map(x -> x.isAllocated(a)).orElse(false);
  }
}
