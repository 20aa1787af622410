package org.clusteripam.etcd.file;

/**
 * Told when a compaction passes each of its steps. The store's is a no-op; crash tests use one that
 * pauses at a chosen step, so the child JVM can be killed exactly there while writers go on.
 */
@FunctionalInterface
interface CompactionHook {
  CompactionHook NONE = phase -> {};

  /** The steps of one compaction, in order. */
  enum Phase {
    /** The next generation's empty log is durable; transactions still go to the old one. */
    NEXT_LOG_CREATED,
    /** The state was copied and transactions now go to the new log; the old log is sealed. */
    SWITCHED,
    /** The snapshot's temp file is written and fsynced, not yet renamed. */
    SNAPSHOT_TEMP_WRITTEN,
    /** The snapshot was renamed into place; the directory is not fsynced yet. */
    SNAPSHOT_RENAMED,
    /** The snapshot and its directory entry are durable; the old logs still exist. */
    SNAPSHOT_DURABLE,
    /** The old logs are deleted: the compaction is complete. */
    OLD_LOGS_DELETED
  }

  void at(Phase phase);
}
