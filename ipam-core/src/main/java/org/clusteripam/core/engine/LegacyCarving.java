package org.clusteripam.core.engine;

import org.clusteripam.core.net.IpFamily;

/**
 * Thrown by a pool creation that found {@code carve/<family>} as a build from before carving ranges
 * writes it: the store's pools are not all recorded in their ranges yet. Nothing is written; the
 * caller converts the store ({@link CarvingUpgrade}) and runs the creation again.
 */
final class LegacyCarving extends StaleListing {
  final IpFamily family;

  LegacyCarving(IpFamily family) {
    super("carving of " + family + " written by an earlier build");
    this.family = family;
  }
}
