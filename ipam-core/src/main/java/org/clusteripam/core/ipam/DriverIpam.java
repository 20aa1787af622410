package org.clusteripam.core.ipam;

import java.util.List;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The Docker driver's facet of the engine: its calls, and the upkeep of what they allocate that
 * reconciliation and the operator commands run (a conditional release, housekeeping).
 */
public interface DriverIpam extends Ipam {

  /**
   * Drops {@code host}'s hold on {@code address} only if the allocation there was made at {@code
   * sinceMillis} (its {@code since}) and {@code host} still holds it, in one transaction: between
   * judging an allocation leaked and releasing it, the address may have been freed and handed out
   * again, and that new allocation must stay. Unknown pools and addresses change nothing.
   *
   * @return whether the hold was dropped
   */
  boolean releaseAddressIfUnchanged(HostId host, PoolId pool, IpAddress address, long sinceMillis);

  /**
   * Gives back every empty block {@code host} owns in the pools it holds, so other hosts can claim
   * them. Returns the blocks given back. Not on any request path: run it from housekeeping.
   */
  List<IpPrefix> releaseEmptyBlocks(HostId host);

  /**
   * Finishes the deletion of every pool still marked for it (its last holder's leave was cut off
   * between the mark and the deletion). Returns the pools deleted.
   */
  List<IpPrefix> finishDeletions();
}
