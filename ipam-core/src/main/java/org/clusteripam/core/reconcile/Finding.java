package org.clusteripam.core.reconcile;

import java.util.SortedSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * One difference between Docker and the store, as reported by {@code check} and acted on by
 * reconciliation.
 */
public sealed interface Finding {

  /** A stable identity across passes, for counting sightings. */
  String key();

  /** Docker has a network whose subnet has no local pool in the store (rule 1). */
  record MissingPool(String network, IpPrefix subnet, java.util.Optional<IpPrefix> ipRange)
      implements Finding {
    @Override
    public String key() {
      return "missing-pool " + subnet;
    }
  }

  /** Docker holds an address that its pool in the store does not record (rule 1). */
  record MissingAddress(String network, PoolId pool, IpAddress address, boolean gateway)
      implements Finding {
    @Override
    public String key() {
      return "missing " + pool + " " + address;
    }
  }

  /** Docker on this host holds an address that the store says other hosts hold. */
  record ConflictingAddress(
      String network, PoolId pool, IpAddress address, SortedSet<Holder> holders)
      implements Finding {
    @Override
    public String key() {
      return "conflict " + pool + " " + address;
    }
  }

  /** This host's address that Docker no longer holds (rule 2). */
  record LeakedAddress(PoolId pool, IpAddress address, long modRevision, long generation)
      implements Finding {
    @Override
    public String key() {
      return "leaked " + pool + " " + address;
    }
  }

  /** This host's reference to a pool whose network Docker no longer has (rule 3). */
  record LeakedPool(PoolId pool, IpPrefix subnet, long modRevision) implements Finding {
    @Override
    public String key() {
      return "leaked-pool " + pool;
    }
  }
}
