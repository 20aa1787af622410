package org.clusteripam.core.state;

/**
 * Key {@code carve/<family>}: the guard of the pools that are not inside the family's supernet
 * (explicit subnets elsewhere: their creations and deletions compare-and-swap it, so two of them
 * never overlap), and a sequence bumped by each. Pools inside the supernet are guarded by their
 * carving ranges ({@code ranges/<family>/<range>}) instead, so carving never writes this key; every
 * creation reads it, which costs nothing while nobody writes it.
 *
 * <p>{@code ranges} false: written by a build from before carving ranges, whose {@code pools}
 * counts every pool of the family and which every creation and deletion wrote; the store is then
 * converted (its pools recorded in their ranges) before the next creation.
 *
 * @param pools the pools of the family not inside its supernet (with {@code ranges}), or every pool
 *     of the family (without)
 */
public record CarveRecord(long pools, long seq, boolean ranges) {
  /** No key yet: nothing to convert. */
  public static final CarveRecord EMPTY = new CarveRecord(0, 0, true);

  /** A record as builds before carving ranges wrote it. */
  public static CarveRecord legacy(long pools, long seq) {
    return new CarveRecord(pools, seq, false);
  }

  public CarveRecord created() {
    return new CarveRecord(pools + 1, seq + 1, ranges);
  }

  public CarveRecord deleted() {
    return new CarveRecord(Math.max(0, pools - 1), seq + 1, ranges);
  }
}
