package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.HolderRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The transactions behind RequestAddress beyond the hot path: claiming and borrowing blocks,
 * preferred and gateway addresses, and the exhaustion messages. Pure functions of what they read.
 */
final class AddressTxns {
  private final IpamConfig config;
  private final long cooldownMillis;

  AddressTxns(IpamConfig config) {
    this.config = config;
    this.cooldownMillis = config.cooldown().toMillis();
  }

  /**
   * The block length used inside {@code pool}: the configured one, or the pool itself if smaller.
   */
  int blockLength(IpPrefix pool) {
    return Math.max(config.blockLength(pool.family()), pool.length());
  }

  private static UnknownPoolException unknown(IpPrefix pool) {
    return new UnknownPoolException(new PoolId("pool/" + pool));
  }

  /** Thrown when a transaction needs the borrow candidates, which are scanned only then. */
  static final class NeedBorrow extends RuntimeException {
    NeedBorrow() {
      super("borrow candidates needed", null, false, false);
    }
  }

  IpAddress slowDynamicTxn(
      StateView sv,
      IpPrefix pool,
      Holder holder,
      AddressKind kind,
      boolean serial,
      long now,
      Candidates cands) {
    PoolRecord rec = sv.pool(pool, holder).orElseThrow(() -> unknown(pool));
    AddressingMode mode = PoolModes.of(rec);
    List<IpPrefix> owned = new ArrayList<>(sv.affinity(pool, holder).blocks());
    for (IpPrefix b : owned) {
      Optional<Block> ob = sv.block(pool, b);
      if (ob.isPresent() && ob.get().isOwnedBy(holder)) {
        Optional<Block.Picked> p =
            ob.get().pick(holder, kind, config.policyFor(serial), now, cooldownMillis);
        if (p.isPresent()) {
          sv.put(p.get().block());
          return p.get().address();
        }
      }
    }
    Optional<IpAddress> claimed = claimAndPick(sv, rec, holder, holder, kind, serial, now, cands);
    if (claimed.isPresent()) {
      return claimed.get();
    }
    if (!config.strictAffinity()) {
      Optional<IpAddress> borrowed = borrow(sv, rec, mode, holder, kind, serial, now, cands);
      if (borrowed.isPresent()) {
        return borrowed.get();
      }
    }
    throw exhausted(rec, mode, holder, owned);
  }

  /**
   * Borrows an address from another holder's block (own blocks full, nothing left to claim). The
   * candidates are the blocks this transaction's cached view shows with room, in the holder's
   * {@link org.clusteripam.core.alloc.BorrowOrder}; only the one it takes is read tracked. When
   * none serves, the engine lists the pool's blocks and runs it again on that listing before the
   * pool counts as exhausted.
   */
  private Optional<IpAddress> borrow(
      StateView sv,
      PoolRecord rec,
      AddressingMode mode,
      Holder holder,
      AddressKind kind,
      boolean serial,
      long now,
      Candidates cands) {
    IpPrefix pool = rec.prefix();
    List<IpPrefix> order = cands.borrow();
    if (order == null || cands.lostRaces() > 0) {
      // After a lost race the engine listed the blocks (the cache is fresh): rotate over those
      // with room, so that the block lost on is not the first tried again.
      order =
          Candidates.scanBorrows(
              rec,
              holder,
              sv.scanBlocks(pool),
              b -> b.pick(holder, kind, config.policyFor(serial), now, cooldownMillis).isPresent(),
              cands.lostRaces());
    }
    // Always from the first block with room: a re-run after a lost compare-and-swap has that
    // block's fresh value, where the next block's cached one would likely be stale again.
    for (IpPrefix b : order) {
      Optional<Block> ob = sv.block(pool, b);
      if (ob.isPresent() && !ob.get().isOwnedBy(holder) && PoolModes.eligible(mode, b, holder)) {
        Optional<Block.Picked> p =
            ob.get().pick(holder, kind, config.policyFor(serial), now, cooldownMillis);
        if (p.isPresent()) {
          sv.put(p.get().block()); // a borrowed address: the block keeps its owner
          return Optional.of(p.get().address());
        }
      }
    }
    if (cands.borrow() == null) {
      throw new NeedBorrow(); // the cached view may have missed blocks: list them
    }
    return Optional.empty();
  }

  private ExhaustedException exhausted(
      PoolRecord rec, AddressingMode mode, Holder holder, List<IpPrefix> owned) {
    IpPrefix pool = rec.prefix();
    if (mode.placeholders().isPresent() && Holder.GLOBAL.equals(holder)) {
      IpPrefix ph = mode.placeholders().get();
      return new ExhaustedException(
          ExhaustedException.Level.PLACEHOLDERS,
          ph,
          "no free placeholder in placeholder range "
              + ph
              + " of pool "
              + pool
              + " (addressing=per-host: swarm's task addresses, VIPs and node LB addresses come from it;"
              + " create the network with a larger --ipam-opt placeholders=CIDR)");
    }
    String noBorrow =
        config.strictAffinity() ? " (strict affinity: no borrowing)" : " and none to borrow from";
    if (!owned.isEmpty() && config.strictAffinity()) {
      IpPrefix b = owned.get(owned.size() - 1);
      String blocks =
          owned.size() == 1 ? "host block " + b : "host blocks " + owned.get(0) + " to " + b;
      return new ExhaustedException(
          ExhaustedException.Level.HOST_BLOCK,
          b,
          "no free address in "
              + blocks
              + " of pool "
              + pool
              + " and no free block to claim"
              + noBorrow);
    }
    if (rec.ipRange().isPresent()) {
      IpPrefix r = rec.ipRange().get();
      return new ExhaustedException(
          ExhaustedException.Level.IP_RANGE,
          r,
          "no free address in ip-range "
              + r
              + " of pool "
              + pool
              + ": no free block to claim"
              + noBorrow);
    }
    if (!owned.isEmpty()) {
      IpPrefix b = owned.get(owned.size() - 1);
      String blocks =
          owned.size() == 1 ? "host block " + b : "host blocks " + owned.get(0) + " to " + b;
      return new ExhaustedException(
          ExhaustedException.Level.POOL,
          pool,
          "no free address in "
              + blocks
              + " of pool "
              + pool
              + ", no free block to claim"
              + noBorrow);
    }
    return new ExhaustedException(
        ExhaustedException.Level.POOL,
        pool,
        "no free address in pool " + pool + ": no free block to claim" + noBorrow);
  }

  /**
   * Claims the first candidate block that is still free (create-if-absent of its key) or ownerless
   * and picks an address in it for {@code allocHolder} (the holder itself, or one of its service
   * VIPs). Every candidate found taken meanwhile means the untracked scan was stale: unless it was
   * the last scan, the caller scans again.
   */
  Optional<IpAddress> claimAndPick(
      StateView sv,
      PoolRecord rec,
      Holder holder,
      Holder allocHolder,
      AddressKind kind,
      boolean serial,
      long now,
      Candidates cands) {
    IpPrefix pool = rec.prefix();
    AddressingMode mode = PoolModes.of(rec);
    boolean stale = false;
    for (IpPrefix b : cands.claim()) {
      if (!PoolModes.eligible(mode, b, holder)) {
        continue;
      }
      Optional<Block> ob = sv.block(pool, b);
      Block blk;
      if (ob.isEmpty()) {
        blk = Block.empty(pool, b, rec.ipRange(), holder);
      } else if (ob.get().owner().isEmpty()) {
        blk = ob.get().withOwner(Optional.of(holder));
      } else {
        stale = true;
        continue;
      }
      Optional<Block.Picked> p =
          blk.pick(allocHolder, kind, config.policyFor(serial), now, cooldownMillis);
      if (p.isPresent()) {
        sv.put(p.get().block());
        sv.addAffinity(pool, holder, b);
        return Optional.of(p.get().address());
      }
    }
    if (stale && !cands.last()) {
      throw new StaleListing("block candidates of " + pool);
    }
    return Optional.empty();
  }

  /**
   * A specific address: taken if free, shared or replayed if its holders allow, else a conflict.
   */
  IpAddress preferredTxn(
      StateView sv, IpPrefix pool, Holder holder, IpAddress a, AddressKind kind, long now) {
    IpPrefix b = IpPrefix.containing(a, blockLength(pool));
    Optional<Block> ob = sv.block(pool, b);
    Block blk;
    if (ob.isPresent() && ob.get().pool().equals(pool)) {
      blk = ob.get();
    } else {
      PoolRecord rec = sv.pool(pool, holder).orElseThrow(() -> unknown(pool));
      if (ob.isPresent()) {
        throw new StoreCorruptException(
            Keys.block(pool, b),
            "block of pool " + ob.get().pool() + " stored under pool " + pool,
            null);
      }
      Optional<Holder> owner = PoolModes.initialOwner(PoolModes.of(rec), b, holder);
      blk = Block.empty(pool, b, rec.ipRange(), owner);
      owner.ifPresent(o -> sv.addAffinity(pool, o, b));
    }
    Allocation existing = blk.allocation(a).orElse(null);
    if (existing == null) {
      sv.put(blk.take(a, holder, kind, now, cooldownMillis));
      return a;
    }
    if (existing.holders().contains(holder)) {
      if (isReplay(sv, pool, holder, kind, now)) {
        return a; // a replay of a request this holder already got
      }
      throw new ConflictException(
          "address "
              + a
              + " in pool "
              + pool
              + " is already in use by "
              + holder.describe()
              + " (another endpoint on this host has it); if nothing uses it any more, reconciliation releases it",
          new ConflictException.SelfHeld(a, existing.sinceMillis()));
    }
    boolean sharedGateway = kind == AddressKind.GATEWAY && existing.kind() == AddressKind.GATEWAY;
    boolean shareable = existing.holders().contains(Holder.GLOBAL);
    if (sharedGateway || shareable) {
      sv.put(blk.share(a, holder));
      return a;
    }
    throw new ConflictException(
        "address "
            + a
            + " in pool "
            + pool
            + " is already in use"
            + (existing.kind() == AddressKind.GATEWAY ? " as the gateway" : "")
            + " by "
            + describeHolders(existing));
  }

  /**
   * Whether {@code holder} asking again for an address it already holds is a replay. Docker sends
   * aux and {@code --ip} addresses alike as a bare preferred address, so only the context tells a
   * restore (dockerd at start, after re-requesting the pool) from a second container asking for a
   * taken address. Gateways are shared by a network's endpoints, and the swarm allocator keeps its
   * own addresses unique: both stay idempotent. The pool record is read only in this rare case.
   */
  private boolean isReplay(StateView sv, IpPrefix pool, Holder holder, AddressKind kind, long now) {
    if (kind == AddressKind.GATEWAY || Holder.GLOBAL.equals(holder)) {
      return true;
    }
    Long from = sv.holder(pool, holder).flatMap(HolderRecord::replayFrom).orElse(null);
    return from != null && now - from <= config.replayWindow().toMillis();
  }

  private static String describeHolders(Allocation al) {
    List<String> out = new ArrayList<>();
    for (Holder h : al.holders()) {
      out.add(h.describe());
    }
    return String.join(" and ", out);
  }

  IpAddress gatewayTxn(
      StateView sv,
      IpPrefix pool,
      Holder holder,
      Optional<IpAddress> preferred,
      boolean serial,
      long now,
      Candidates cands) {
    PoolRecord rec = sv.pool(pool, holder).orElseThrow(() -> unknown(pool));
    IpAddress a;
    if (preferred.isPresent()) {
      a = preferred.get();
    } else if (rec.gateway().isPresent()) {
      a = rec.gateway().get();
    } else {
      IpAddress first = pool.hostBits() >= 2 ? pool.first().next() : pool.first();
      if (!PoolTxns.isAllocated(sv, rec, first)) {
        a = first;
      } else {
        a = slowDynamicTxn(sv, pool, holder, AddressKind.GATEWAY, serial, now, cands);
        sv.poolRecord(pool)
            .filter(r -> r.gateway().isEmpty())
            .ifPresent(r -> sv.put(r.withGateway(Optional.of(a))));
        return a;
      }
    }
    IpAddress got = preferredTxn(sv, pool, holder, a, AddressKind.GATEWAY, now);
    PoolRecord latest = sv.poolRecord(pool).orElseThrow(() -> unknown(pool));
    if (latest.gateway().isEmpty()) {
      sv.put(latest.withGateway(Optional.of(got)));
    }
    return got;
  }
}
