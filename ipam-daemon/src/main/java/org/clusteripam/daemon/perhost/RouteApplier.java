package org.clusteripam.daemon.perhost;

import org.clusteripam.core.perhost.RoutePlan;

/** Puts a host's route plan into effect: kernel routes in the daemon, a fake in tests. */
public interface RouteApplier extends AutoCloseable {
  /** Applies {@code plan}; throws when some route could not be written. */
  void apply(RoutePlan plan);

  /** Leaves the routes in the kernel: they keep carrying traffic while the daemon restarts. */
  @Override
  void close();

  /** No routing ({@code --advertise-addr} unset). */
  static RouteApplier none() {
    return new RouteApplier() {
      @Override
      public void apply(RoutePlan plan) {}

      @Override
      public void close() {}
    };
  }
}
