package org.clusteripam.core.engine;

/**
 * Thrown by a transaction whose untracked knowledge was stale: a listing of {@code pools/} that
 * does not hold as many pools as {@code carve/<family>} counts, or block candidates (from untracked
 * peeks) that all turned out taken. Nothing is written; the caller refreshes and runs it again.
 */
final class StaleListing extends RuntimeException {
  StaleListing(String what) {
    super(what, null, false, false);
  }
}
