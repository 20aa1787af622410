package org.clusteripam.core.ipam;

/**
 * The cluster IPAM as Docker's driver protocol needs it, independent of transport.
 *
 * <p>Every call is idempotent for replays (dockerd and swarm managers re-send their requests after
 * restarts); releasing something unknown succeeds silently. Failures are {@link IpamException}s
 * with a message fit to show to a Docker user, or {@link
 * org.clusteripam.core.store.StoreException}s when the store fails. A failed call changes nothing.
 */
public interface Ipam {

  /** The names of the local and global address spaces (distinct, our own). */
  AddressSpaces addressSpaces();

  PoolGrant requestPool(PoolRequest request);

  /** Drops {@code host}'s reference; the last reference frees every address left in the pool. */
  void releasePool(HostId host, PoolId pool);

  AddressGrant requestAddress(AddressRequest request);

  void releaseAddress(HostId host, PoolId pool, org.clusteripam.core.net.IpAddress address);
}
