package org.clusteripam.daemon.reconcile;

import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpPrefix;

/**
 * A pool as the store shows it, seen from one host.
 *
 * @param local whether the pool is in the local address space (only those are reconciled against
 *     this host's Docker: global-space addresses belong to swarm tasks anywhere in the cluster)
 * @param referencedByHost whether this host holds a reference (it requested the pool)
 * @param modRevision store revision of the last write of this host's reference
 */
public record StoredPool(PoolId id, IpPrefix subnet, boolean local, boolean referencedByHost, long modRevision) {}
