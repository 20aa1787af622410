package org.clusteripam.core.alloc;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/**
 * The order in which one holder tries the existing blocks of a pool when it borrows: its {@link
 * BlockOrder} over every block index of the pool, restricted to the blocks given. Hosts that ran
 * out of room therefore spread over different blocks with room (each has its own first choice),
 * instead of all queueing on the same one; the same holder always prefers the same blocks, so it
 * keeps borrowing from one block until that block is full.
 */
public final class BorrowOrder {
  private final IpPrefix pool;
  private final int blockLength;
  private final BlockOrder order;

  private BorrowOrder(IpPrefix pool, int blockLength, BlockOrder order) {
    this.pool = pool;
    this.blockLength = blockLength;
    this.order = order;
  }

  /** The order of the {@code /blockLength} blocks of {@code pool} for {@code holder}. */
  public static BorrowOrder forHolder(Holder holder, IpPrefix pool, int blockLength) {
    if (blockLength < pool.length() || blockLength > pool.family().bits()) {
      throw new IllegalArgumentException(
          "/" + blockLength + " is not a block length inside pool " + pool);
    }
    // Beyond 2^62 blocks the low 62 bits of the index decide; ties go by address.
    return new BorrowOrder(
        pool, blockLength, BlockOrder.forHolder(holder, Math.min(62, blockLength - pool.length())));
  }

  /** Where {@code block} (a block of the pool) comes in this holder's order. */
  public long positionOf(IpPrefix block) {
    if (block.length() != blockLength || !pool.contains(block)) {
      throw new IllegalArgumentException(block + " is not a /" + blockLength + " of " + pool);
    }
    int shift = pool.family().bits() - blockLength;
    long index;
    if (pool.hostBits() <= 64) {
      index = block.network().offsetFrom(pool.network()) >>> shift;
    } else {
      BigInteger d = block.network().toBigInteger().subtract(pool.network().toBigInteger());
      index = d.shiftRight(shift).longValue();
    }
    return order.positionOf(index & (order.count() - 1));
  }

  /** {@code blocks} in this holder's order. */
  public List<IpPrefix> sorted(Collection<IpPrefix> blocks) {
    record Ranked(long position, IpPrefix block) {}
    List<Ranked> ranked = new ArrayList<>(blocks.size());
    for (IpPrefix b : blocks) {
      ranked.add(new Ranked(positionOf(b), b));
    }
    ranked.sort(Comparator.comparingLong(Ranked::position).thenComparing(Ranked::block));
    List<IpPrefix> out = new ArrayList<>(ranked.size());
    ranked.forEach(r -> out.add(r.block()));
    return out;
  }

  /**
   * {@code withRoom} in the order this holder tries them after losing {@code lostRaces} borrows in
   * a row (each ran out of compare-and-swap retries against the block's owner or other borrowers):
   * its {@link #sorted} order, started that many blocks further and wrapped around. Each lost race
   * therefore moves the holder to a block it has not just lost on, while a holder that never lost
   * keeps its first choice.
   */
  public List<IpPrefix> afterLostRaces(Collection<IpPrefix> withRoom, int lostRaces) {
    if (lostRaces < 0) {
      throw new IllegalArgumentException("lost races must be at least 0, got " + lostRaces);
    }
    List<IpPrefix> s = sorted(withRoom);
    if (s.isEmpty() || lostRaces % s.size() == 0) {
      return s;
    }
    int k = lostRaces % s.size();
    List<IpPrefix> out = new ArrayList<>(s.size());
    out.addAll(s.subList(k, s.size()));
    out.addAll(s.subList(0, k));
    return out;
  }
}
