package org.clusteripam.daemon.perhost;

import java.util.Collection;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;

/** Puts a host's load-balancer plan into effect: kernel IPVS in the daemon, a fake in tests. */
public interface LbApplier extends AutoCloseable {
  /**
   * Applies {@code state}; returns whether it was applied (false: compute only, nothing to apply
   * to). Throws when applying failed.
   *
   * @param managedPools the per-host pools whose frontends this host's load balancer owns: anything
   *     there that {@code state} no longer lists is drained and removed
   */
  boolean apply(LbDesiredState state, Collection<IpPrefix> managedPools);

  @Override
  void close();

  /** Compute only ({@code --load-balancer off}). */
  static LbApplier none() {
    return new LbApplier() {
      @Override
      public boolean apply(LbDesiredState state, Collection<IpPrefix> managedPools) {
        return false;
      }

      @Override
      public void close() {}
    };
  }
}
