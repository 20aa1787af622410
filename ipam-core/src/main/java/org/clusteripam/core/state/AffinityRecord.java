package org.clusteripam.core.state;

import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code affinity/<pool>/<holder>}: the blocks {@code holder} owns in the pool — the index of
 * the {@code owner} field of those blocks, written in the same transactions as that field (a claim,
 * a give-back, the holder's leave). Only that holder's operations write it, so "which blocks do I
 * own" is answered without a shared record. Absent when it owns none.
 */
public record AffinityRecord(Holder holder, SortedSet<IpPrefix> blocks) {
  public AffinityRecord {
    blocks = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(blocks));
  }

  public AffinityRecord with(IpPrefix b) {
    TreeSet<IpPrefix> s = new TreeSet<>(blocks);
    s.add(b);
    return new AffinityRecord(holder, s);
  }

  public AffinityRecord without(IpPrefix b) {
    TreeSet<IpPrefix> s = new TreeSet<>(blocks);
    s.remove(b);
    return new AffinityRecord(holder, s);
  }
}
