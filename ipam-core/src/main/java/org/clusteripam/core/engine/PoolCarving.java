package org.clusteripam.core.engine;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.alloc.CarvingRange;
import org.clusteripam.core.alloc.CarvingRanges;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.CarveRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;

/**
 * Which prefix a new pool gets, and the keys that keep pools from overlapping, inside a pool
 * creation's or deletion's transaction. Inside the supernet the unit is the carving range: a host
 * carves from a range it claimed (its own key, created if absent), and any pool overlapping a range
 * — carved or explicit — is recorded in that range's record, compared and written with the pool.
 * Pools elsewhere (explicit subnets outside the supernet) are guarded by {@code carve/<family>}.
 */
final class PoolCarving {
  private final IpamConfig config;

  PoolCarving(IpamConfig config) {
    this.config = config;
  }

  private Optional<CarvingRanges> ranges(IpFamily f) {
    return CarvingRanges.of(config.carving().family(f));
  }

  /**
   * The guard of the family, read tracked by every creation: a write by a build from before carving
   * ranges (it bumps the key on every creation) fails this commit, and the record it leaves makes
   * the next run convert the store first.
   */
  private CarveRecord guard(StateView sv, IpFamily f) {
    CarveRecord c = sv.carve(f);
    if (!c.ranges()) {
      throw new LegacyCarving(f);
    }
    return c;
  }

  /** Carves a new dynamic pool for {@code holder} and records it in its range. */
  IpPrefix carve(StateView sv, IpFamily f, Holder holder) {
    CarvingRanges rs =
        ranges(f)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "no "
                            + f
                            + " supernet is configured, so an "
                            + f
                            + " pool needs an explicit subnet"));
    guard(sv, f);
    SortedMap<IpPrefix, CarvingRange> known = sv.rangeHints(f, rs.networkLength());
    List<CarvingRanges.Candidate> candidates = rs.candidates(holder, known);
    if (candidates.isEmpty()) {
      throw new ExhaustedException(
          ExhaustedException.Level.SUPERNET,
          rs.supernet(),
          "no free /"
              + rs.networkLength()
              + " pool left in supernet "
              + rs.supernet()
              + " ("
              + CarvingRanges.poolsIn(known)
              + " pools in use)");
    }
    for (CarvingRanges.Candidate c : candidates) {
      CarvingRange r =
          sv.range(f, c.range(), rs.networkLength()).orElse(CarvingRange.unclaimed(c.range()));
      if (!c.borrow() && r.isClaimed() && !r.holder().equals(holder.format())) {
        continue; // claimed since the hint was read
      }
      Optional<IpPrefix> slot = rs.freeSlot(r);
      // A pool the record does not list (one an earlier build created) is recorded, not overlapped.
      while (slot.isPresent() && sv.poolRecord(slot.get()).isPresent()) {
        r = r.with(slot.get());
        slot = rs.freeSlot(r);
      }
      if (slot.isEmpty()) {
        continue;
      }
      CarvingRange next = r.with(slot.get());
      sv.put(f, r.isClaimed() ? next : next.claimedBy(holder.format()), rs.networkLength());
      return slot.get();
    }
    throw new StaleListing("carving ranges of " + f);
  }

  /**
   * Records an explicitly requested {@code p}, refusing it when it overlaps an existing pool: in
   * every range it overlaps, or under {@code carve/<family>} when it is not inside the supernet.
   */
  void reserve(StateView sv, IpPrefix p) {
    IpFamily f = p.family();
    CarveRecord carve = guard(sv, f);
    Optional<CarvingRanges> rs = ranges(f);
    if (rs.isPresent() && rs.get().supernet().contains(p)) {
      long n = rs.get().overlappedCount(p);
      if (n > CarvingRanges.MAX_OVERLAPPED) {
        throw new InvalidRequestException(
            "pool "
                + p
                + " would cover "
                + n
                + " carving ranges of the supernet "
                + rs.get().supernet()
                + " that dynamic pools are carved from (at most "
                + CarvingRanges.MAX_OVERLAPPED
                + ", a /"
                + (rs.get().rangeLength()
                    - Long.numberOfTrailingZeros(CarvingRanges.MAX_OVERLAPPED))
                + "): give a smaller subnet or one outside it");
      }
      for (IpPrefix range : rs.get().overlapped(p)) {
        CarvingRange r =
            sv.range(f, range, rs.get().networkLength()).orElse(CarvingRange.unclaimed(range));
        Optional<IpPrefix> clash = r.overlapping(p);
        if (clash.isPresent()) {
          throw overlap(p, clash.get());
        }
        sv.put(f, r.with(p), rs.get().networkLength());
      }
      return;
    }
    if (rs.isPresent() && p.contains(rs.get().supernet())) {
      throw new ConflictException(
          "pool "
              + p
              + " contains the supernet "
              + rs.get().supernet()
              + " that dynamic pools are carved from");
    }
    List<PoolRecord> pools = sv.poolsNotInside(f, rs.map(CarvingRanges::supernet), carve);
    if (pools == null) {
      throw new StaleListing("pools of " + f);
    }
    for (PoolRecord r : pools) {
      if (r.prefix().overlaps(p)) {
        throw overlap(p, r.prefix());
      }
    }
    sv.putCarve(f, carve.created());
  }

  /**
   * The refusal of {@code p} for overlapping {@code existing}. The creation only gets here after
   * its read of {@code p}'s own record found none, so {@code existing == p} means two reads
   * disagree: a store's cache answered that read from before a peer created {@code p} and this one
   * from after. That is a join of the pool the peer just created, never an overlap: the caller
   * re-reads the record and runs again.
   */
  private static RuntimeException overlap(IpPrefix p, IpPrefix existing) {
    if (existing.equals(p)) {
      return new StaleListing("record of pool " + p, Keys.pool(p));
    }
    return new ConflictException("pool " + p + " overlaps existing pool " + existing);
  }

  /**
   * In a deletion of {@code p}: removes it from the ranges it is recorded in (a range left empty
   * goes, claimed or not) or from the count of {@code carve/<family>}.
   */
  void deleted(StateView sv, IpPrefix p) {
    IpFamily f = p.family();
    Optional<CarvingRanges> rs = ranges(f);
    if (rs.isPresent() && rs.get().overlappedCount(p) > 0) {
      for (IpPrefix range : rs.get().overlapped(p)) {
        Optional<CarvingRange> r = sv.range(f, range, rs.get().networkLength());
        if (r.isPresent() && r.get().pools().contains(p)) {
          CarvingRange next = r.get().without(p);
          if (next.pools().isEmpty()) {
            sv.deleteRange(f, range);
          } else {
            sv.put(f, next, rs.get().networkLength());
          }
        }
      }
    }
    CarveRecord carve = sv.carve(f);
    boolean counted = rs.isEmpty() || !rs.get().supernet().contains(p);
    if (counted || !carve.ranges()) { // an earlier build's record counts every pool
      sv.putCarve(f, carve.deleted());
    }
  }
}
