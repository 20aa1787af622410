package org.clusteripam.core.reconcile;

import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpPrefix;

/**
 * A pool as the store shows it, seen from one host.
 *
 * @param heldByHost whether this host holds the pool (it requested it and has not released it)
 * @param modRevision store revision of the pool record's last write
 */
public record StoredPool(PoolId id, IpPrefix subnet, boolean heldByHost, long modRevision) {}
