package org.clusteripam.core.reconcile;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;

/**
 * One allocated address in the store.
 *
 * @param holders the hosts (and the swarm allocator for a swarm manager's allocations) that hold
 *     it, in the order of their stored strings
 * @param modRevision revision of the last write of the record that holds it (its block): a
 *     conservative "last written" — any change in the block counts
 * @param generation identifies this allocation (its allocation time): an address freed and handed
 *     out again is a new generation, and its leak sightings start over
 * @param gateway whether it was allocated as a gateway (Docker does not show a gateway it did not
 *     get from the user, so a gateway lives as long as its network)
 */
public record StoredAddress(
    org.clusteripam.core.ipam.PoolId pool,
    IpAddress address,
    SortedSet<Holder> holders,
    long modRevision,
    long generation,
    boolean gateway) {
  public StoredAddress {
    holders = Collections.unmodifiableSortedSet(new TreeSet<>(holders));
  }
}
