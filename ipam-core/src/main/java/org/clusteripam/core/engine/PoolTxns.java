package org.clusteripam.core.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.alloc.PrefixConflictException;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.BlockRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolIndex;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The transactions behind RequestPool and ReleasePool: pure functions of what they read through a
 * {@link StateView}, safe to re-run.
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
    PoolIndex idx = sv.index();
    Optional<IpPrefix> target = req.pool();
    if (target.isEmpty() && name.isPresent()) {
      target = idx.findByName(name.get(), req.v6() ? IpFamily.IPV6 : IpFamily.IPV4).map(PoolIndex.Entry::prefix);
    }
    if (target.isPresent() && idx.find(target.get()).isPresent()) {
      return joinPool(sv, target.get(), req, holder, name, now);
    }
    IpPrefix prefix;
    boolean dynamic;
    if (target.isPresent()) {
      prefix = target.get();
      dynamic = false;
      Optional<PoolIndex.Entry> clash = idx.overlapping(prefix);
      if (clash.isPresent()) {
        throw new ConflictException("pool " + prefix + " overlaps existing pool " + clash.get().prefix());
      }
      if (name.isPresent() && idx.findByName(name.get(), prefix.family()).isPresent()) {
        throw new ConflictException("network name \"" + name.get() + "\" already names pool "
            + idx.findByName(name.get(), prefix.family()).get().prefix());
      }
    } else {
      IpFamily family = req.v6() ? IpFamily.IPV6 : IpFamily.IPV4;
      prefix = carve(sv.cache(), idx, family);
      dynamic = true;
    }
    AddressingMode mode = PoolModes.forRequest(prefix, blockLength(prefix), req.subPool(), options); // refuses bad options
    PoolRecord rec = new PoolRecord(
        prefix, req.subPool(), name, dynamic, options, blockLength(prefix), new TreeSet<>(List.of(holder)), new TreeMap<>(), Optional.empty());
    PoolIndex next = idx.with(new PoolIndex.Entry(prefix, name, dynamic, mode.placeholders().isPresent()));
    sv.putIndex(next);
    config.supernet(prefix.family()).filter(sn -> sn.contains(prefix))
        .ifPresent(sn -> sv.cache().advanceCarver(sn.toString(), idx, next, prefix));
    sv.put(rec);
    sv.addHostPool(holder, prefix);
    return rec;
  }

  private PoolRecord joinPool(StateView sv, IpPrefix prefix, PoolRequest req, String holder, Optional<String> name, long now) {
    PoolRecord rec = sv.pool(prefix).orElseThrow(() -> new StoreCorruptException(
        Keys.pool(prefix), "the pool is listed in " + Keys.POOL_INDEX + " but its record is missing", null));
    if (req.subPool().isPresent() && !req.subPool().equals(rec.ipRange())) {
      throw new ConflictException("pool " + prefix + " already exists with "
          + rec.ipRange().map(r -> "ip-range " + r).orElse("no ip-range") + ", not ip-range " + req.subPool().get());
    }
    if (name.isPresent() && rec.name().isPresent() && !name.equals(rec.name())) {
      throw new ConflictException("pool " + prefix + " is network \"" + rec.name().get() + "\", not \"" + name.get() + "\"");
    }
    if (rec.holders().contains(holder)) {
      // A replay (dockerd's restore, a swarm manager after a leader change): open this holder's
      // window for re-requesting the addresses it holds. The swarm allocator needs none.
      if (!AddressingMode.GLOBAL_HOLDER.equals(holder)) {
        TreeMap<String, Long> replay = new TreeMap<>();
        long window = config.replayWindow().toMillis();
        rec.replayFrom().forEach((h, t) -> {
          if (now - t <= window) {
            replay.put(h, t); // expired windows are dropped while we write anyway
          }
        });
        replay.put(holder, now);
        rec = rec.withReplayFrom(replay);
        sv.put(rec);
      }
    } else {
      TreeSet<String> h = new TreeSet<>(rec.holders());
      h.add(holder);
      rec = rec.withHolders(h);
      sv.put(rec);
      sv.addHostPool(holder, prefix);
      if (rec.gateway().isPresent()) {
        // Docker uses a gateway announced in the grant without requesting it: hold it for this
        // holder too, or it could be freed (and handed out) while this host still routes through it.
        IpAddress g = rec.gateway().get();
        IpPrefix b = IpPrefix.containing(g, rec.blockLength());
        Optional<BlockRecord> blk = sv.block(prefix, b);
        if (blk.isPresent() && blk.get().allocations().containsKey(g) && !blk.get().allocations().get(g).holders().contains(holder)) {
          sv.put(BlockOps.share(blk.get(), g, holder));
        }
      }
    }
    return rec;
  }

  private IpPrefix carve(DecodeCache cache, PoolIndex idx, IpFamily family) {
    IpPrefix supernet = config.supernet(family).orElseThrow(() -> new InvalidRequestException(
        "no " + family + " supernet is configured, so an " + family + " pool needs an explicit subnet"));
    int length = config.networkLength(family);
    DecodeCache.Carved carved = cache.lowestFree(supernet.toString(), idx, length);
    if (carved == null) {
      SupernetCarver carver = new SupernetCarver(supernet);
      for (PoolIndex.Entry e : idx.pools()) {
        if (e.prefix().contains(supernet)) {
          throw new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
              "no free /" + length + " pool in supernet " + supernet + ": pool " + e.prefix() + " covers it");
        }
        if (supernet.contains(e.prefix())) {
          try {
            carver.reserve(e.prefix());
          } catch (PrefixConflictException ex) {
            throw new StoreCorruptException(Keys.POOL_INDEX, ex.getMessage(), ex);
          }
        }
      }
      carved = new DecodeCache.Carved(carver.lowestFree(length), carver.takenCount());
      cache.rememberCarver(supernet.toString(), idx, carver); // shared from here on: only under the cache's lock
    }
    long inUse = carved.inUse();
    return carved.prefix().orElseThrow(() -> new ExhaustedException(ExhaustedException.Level.SUPERNET, supernet,
        "no free /" + length + " pool left in supernet " + supernet + " (" + inUse + " pools in use)"));
  }

  void releasePoolTxn(StateView sv, IpPrefix prefix, String holder, long now) {
    Optional<PoolRecord> found = sv.pool(prefix);
    if (found.isEmpty() || !found.get().holders().contains(holder)) {
      return;
    }
    PoolRecord rec = found.get();
    TreeSet<String> holders = new TreeSet<>(rec.holders());
    holders.remove(holder);
    sv.removeHostPool(holder, prefix);
    if (PoolModes.of(rec).placeholders().isPresent()) {
      PerHostTxns.onPoolRelease(sv, prefix, holder, holders.isEmpty());
    }
    if (holders.isEmpty()) {
      // The last holder: everything left in the pool goes, including leaked swarm task addresses.
      rec.blocks().keySet().forEach(b -> sv.deleteBlock(prefix, b));
      sv.deletePool(prefix);
      sv.putIndex(sv.index().without(prefix));
      return;
    }
    TreeMap<IpPrefix, String> blocks = new TreeMap<>(rec.blocks());
    for (Map.Entry<IpPrefix, String> e : rec.blocks().entrySet()) {
      Optional<BlockRecord> ob = sv.block(prefix, e.getKey());
      if (ob.isEmpty()) {
        blocks.remove(e.getKey());
        continue;
      }
      BlockRecord b = ob.get();
      // The holder's own references and, for a host, its service VIPs (which live in its blocks).
      BlockRecord nb = BlockOps.dropAll(b, h -> h.equals(holder) || VipHolder.isOf(h, holder), now, cooldownMillis);
      boolean mine = nb.owner().equals(holder);
      if (nb.isEmpty() && (mine || nb.owner().isEmpty())) {
        sv.deleteBlock(prefix, b.block());
        blocks.remove(b.block());
        continue;
      }
      if (mine) {
        nb = nb.withOwner(""); // a host that left the pool keeps no affinity
        blocks.put(b.block(), "");
      }
      if (!nb.equals(b)) {
        sv.put(nb);
      }
    }
    TreeMap<String, Long> replay = new TreeMap<>(rec.replayFrom());
    replay.remove(holder);
    PoolRecord nr = rec.withHolders(holders).withBlocks(blocks).withReplayFrom(replay);
    if (nr.gateway().isPresent() && !isAllocated(sv, nr, nr.gateway().get())) {
      nr = nr.withGateway(Optional.empty());
    }
    sv.put(nr);
  }

  static boolean isAllocated(StateView sv, PoolRecord rec, IpAddress a) {
    IpPrefix b = IpPrefix.containing(a, rec.blockLength());
    return rec.blocks().containsKey(b) && sv.block(rec.prefix(), b).map(x -> x.allocations().containsKey(a)).orElse(false);
  }
}
