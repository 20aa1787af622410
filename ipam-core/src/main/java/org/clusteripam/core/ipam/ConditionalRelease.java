package org.clusteripam.core.ipam;

import org.clusteripam.core.net.IpAddress;

/**
 * A release that frees an allocation only if it is still the one a caller judged leaked
 * (reconciliation): between the judgement and the release the address may have been freed and
 * handed out again, and that new allocation must not be freed.
 */
public interface ConditionalRelease {
  /**
   * Drops {@code host}'s hold on {@code address} if the allocation there was made at
   * {@code sinceMillis} (its {@code since}) and {@code host} still holds it; otherwise changes
   * nothing. Unknown pools and addresses change nothing too.
   *
   * @return whether the hold was dropped
   */
  boolean releaseAddressIfUnchanged(HostId host, PoolId pool, IpAddress address, long sinceMillis);
}
