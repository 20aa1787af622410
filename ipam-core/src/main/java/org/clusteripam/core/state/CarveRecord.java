package org.clusteripam.core.state;

/**
 * Key {@code carve/<family>}: how many pools of the family exist, and a sequence bumped by every
 * pool creation and deletion. Pool creations and deletions compare-and-swap it, so they stay
 * serialized (no two overlapping pools) at a constant size; a transaction that lists {@code pools/}
 * from a possibly stale cache knows its listing is complete when it counts {@code pools} of the
 * family. Address traffic, joins and leaves never touch it.
 */
public record CarveRecord(long pools, long seq) {
  public static final CarveRecord EMPTY = new CarveRecord(0, 0);

  public CarveRecord created() {
    return new CarveRecord(pools + 1, seq + 1);
  }

  public CarveRecord deleted() {
    return new CarveRecord(Math.max(0, pools - 1), seq + 1);
  }
}
