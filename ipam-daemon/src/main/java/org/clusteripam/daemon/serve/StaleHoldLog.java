package org.clusteripam.daemon.serve;

import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.reconcile.StaleHoldRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log lines of the engine's stale-hold recovery. */
final class StaleHoldLog implements StaleHoldRecovery.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(StaleHoldLog.class);

  @Override
  public void released(PoolId pool, IpAddress address, long heldSinceMillis) {
    LOG.info(
        "event=stale_hold_released pool={} address={} held_since_ms={} reason=\"no Docker endpoint uses it; its release was lost\"",
        pool,
        address,
        heldSinceMillis);
  }

  @Override
  public void unverified(PoolId pool, IpAddress address, RuntimeException why) {
    LOG.warn(
        "event=stale_hold_unverified pool={} address={} reason=\"{}\"",
        pool,
        address,
        why.getMessage());
  }
}
