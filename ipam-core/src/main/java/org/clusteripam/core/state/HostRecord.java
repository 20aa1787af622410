package org.clusteripam.core.state;

import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;

/**
 * Key {@code hosts/<holder>}: the pools a host (or {@code @global}) holds; for queries and cleanup.
 */
public record HostRecord(Holder holder, SortedSet<IpPrefix> pools) {
  public HostRecord {
    pools = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(pools));
  }
}
