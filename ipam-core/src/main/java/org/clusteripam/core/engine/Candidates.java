package org.clusteripam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.clusteripam.core.alloc.BlockOrder;
import org.clusteripam.core.alloc.BorrowOrder;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.Versioned;

/**
 * Blocks a holder may claim or borrow, found by untracked reads before the transaction, so that the
 * transaction reads (and is compared on) only the blocks it tries, not every block it passes over.
 * The transaction re-reads each candidate tracked: a stale candidate only costs a re-scan.
 *
 * @param claim absent or ownerless blocks, in the holder's own block order
 * @param borrow other holders' blocks from a linearizable listing, in the holder's {@link
 *     BorrowOrder}, or null when not listed (the transaction then borrows by its cached view)
 * @param last no re-scan follows: a stale candidate means exhaustion
 * @param lostRaces transactions of this request that ran out of compare-and-swap retries so far:
 *     the borrow order starts that many blocks further ({@link BorrowOrder#afterLostRaces})
 */
record Candidates(List<IpPrefix> claim, List<IpPrefix> borrow, boolean last, int lostRaces) {
  static final int CLAIMS = 4;

  /**
   * Beyond this many blocks of one pool, a claim scan gives up (an IPv4 /8 of /26 blocks is 2^18).
   */
  static final long MAX_SCAN = 1L << 18;

  static final Candidates NONE = new Candidates(List.of(), List.of(), true, 0);

  Candidates(List<IpPrefix> claim, List<IpPrefix> borrow, boolean last) {
    this(claim, borrow, last, 0);
  }

  Candidates withBorrow(List<IpPrefix> b) {
    return new Candidates(claim, b, last, lostRaces);
  }

  Candidates asLast() {
    return new Candidates(claim, borrow, true, lostRaces);
  }

  Candidates withLostRaces(int n) {
    return new Candidates(claim, borrow, last, n);
  }

  /** The region of {@code rec} where {@code holder} claims blocks. */
  static IpPrefix region(PoolRecord rec, Holder holder) {
    int len = rec.blockLength();
    AddressingMode mode = PoolModes.of(rec);
    if (rec.ipRange().isPresent()) {
      IpPrefix r = rec.ipRange().get();
      return r.length() <= len ? r : IpPrefix.containing(r.network(), len);
    }
    if (mode.placeholders().isPresent() && Holder.GLOBAL.equals(holder)) {
      return mode.placeholders().get(); // whole blocks (checked when the pool was created)
    }
    return rec.prefix();
  }

  /** The first few claimable blocks in {@code holder}'s order, by untracked peeks. */
  static List<IpPrefix> scanClaims(
      PoolRecord rec,
      Holder holder,
      Function<String, Optional<Versioned>> peek,
      DecodeCache cache) {
    IpPrefix pool = rec.prefix();
    int len = rec.blockLength();
    AddressingMode mode = PoolModes.of(rec);
    IpPrefix region = region(rec, holder);
    int bits = Math.min(62, len - region.length()); // beyond 2^62 blocks, the first 2^62 are plenty
    BlockOrder order = BlockOrder.forHolder(holder, bits);
    List<IpPrefix> out = new ArrayList<>();
    long n = Math.min(order.count(), MAX_SCAN);
    for (long i = 0; i < n && out.size() < CLAIMS; i++) {
      IpPrefix b = region.subPrefix(len, order.indexAt(i));
      if (!PoolModes.eligible(mode, b, holder)) {
        continue; // the placeholder range: not a host's to claim
      }
      String key = Keys.block(pool, b);
      Optional<Versioned> v = peek.apply(key);
      if (v.isEmpty()) {
        out.add(b);
        continue;
      }
      try {
        Block blk = cache.block(key, v.get().value());
        if (blk.owner().isEmpty()) {
          out.add(b);
        }
      } catch (StoreCorruptException e) {
        // the tracked read of a transaction reports it if it matters
      }
    }
    return out;
  }

  /**
   * Other holders' blocks of {@code rec} that {@code holder} may borrow from and that {@code
   * hasRoom} (a view of the block, possibly stale), in the holder's {@link BorrowOrder}.
   */
  static List<IpPrefix> scanBorrows(
      PoolRecord rec, Holder holder, List<Block> blocks, Predicate<Block> hasRoom) {
    return scanBorrows(rec, holder, blocks, hasRoom, 0);
  }

  /** {@link #scanBorrows}, in the order after {@code lostRaces} lost borrows. */
  static List<IpPrefix> scanBorrows(
      PoolRecord rec, Holder holder, List<Block> blocks, Predicate<Block> hasRoom, int lostRaces) {
    AddressingMode mode = PoolModes.of(rec);
    List<IpPrefix> eligible = new ArrayList<>();
    for (Block b : blocks) {
      if (!b.isOwnedBy(holder)
          && b.pool().equals(rec.prefix())
          && b.block().length() == rec.blockLength()
          && PoolModes.eligible(mode, b.block(), holder)
          && hasRoom.test(b)) {
        eligible.add(b.block());
      }
    }
    return BorrowOrder.forHolder(holder, rec.prefix(), rec.blockLength())
        .afterLostRaces(eligible, lostRaces);
  }
}
