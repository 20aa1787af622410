package org.clusteripam.core.engine;

import java.util.Optional;

/**
 * Thrown by a transaction whose untracked knowledge was stale: a listing of {@code pools/} that
 * does not hold as many pools as {@code carve/<family>} counts, block candidates (from untracked
 * peeks) that all turned out taken, or reads that disagree (a store's cache may answer one key from
 * before a peer's commit and the next from after it). Nothing is written; the caller refreshes
 * ({@link #refresh}, or what the creation scanned) and runs it again.
 */
class StaleListing extends RuntimeException {
  private final Optional<String> refresh;

  StaleListing(String what) {
    this(what, Optional.empty());
  }

  /**
   * Stale knowledge of the keys under {@code refresh}, which the caller lists before re-running.
   */
  StaleListing(String what, String refresh) {
    this(what, Optional.of(refresh));
  }

  private StaleListing(String what, Optional<String> refresh) {
    super(what, null, false, false);
    this.refresh = refresh;
  }

  /** The key prefix to list before re-running, when only that is known to be stale. */
  Optional<String> refresh() {
    return refresh;
  }
}
