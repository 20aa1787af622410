package org.clusteripam.daemon.reconcile;

import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;

/** One allocated address in the store, with its owner and the revision of its last write. */
public record StoredAddress(PoolId pool, IpAddress address, HostId owner, long modRevision) {}
