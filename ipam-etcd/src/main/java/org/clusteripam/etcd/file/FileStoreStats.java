package org.clusteripam.etcd.file;

/**
 * Counters of a {@link FileStateStore} since it was opened, for benchmarks and metrics.
 *
 * @param transactions write transactions committed (read-only ones write nothing and are not
 *     counted)
 * @param groupCommits log fsyncs made to acknowledge transactions; each covers every record
 *     appended before it
 * @param fsyncs every fsync the store made: group commits, sealed logs, snapshots, new logs, the
 *     directory
 * @param logBytesWritten bytes appended to the logs
 * @param compactionsStarted compactions begun (one more than {@code compactions} while one runs)
 * @param compactions compactions completed
 * @param compactionNanos time spent in completed compactions (they run beside transactions)
 * @param maxCompactionNanos the longest completed compaction
 * @param switchNanos total time compactions held the state lock (see {@code maxSwitchNanos})
 * @param maxSwitchNanos the longest time a compaction held the state lock (copy of the state and
 *     log switch): the only time a compaction delays transactions
 * @param logSize bytes in the current log (the one transactions append to)
 * @param snapshotSize bytes in the newest snapshot (0 before the first)
 */
public record FileStoreStats(
    long transactions,
    long groupCommits,
    long fsyncs,
    long logBytesWritten,
    long compactionsStarted,
    long compactions,
    long compactionNanos,
    long maxCompactionNanos,
    long switchNanos,
    long maxSwitchNanos,
    long logSize,
    long snapshotSize) {

  /** True while a compaction is running. */
  public boolean compacting() {
    return compactionsStarted > compactions;
  }

  /** The counters accumulated since {@code earlier}; maxima and sizes are this sample's. */
  public FileStoreStats minus(FileStoreStats earlier) {
    return new FileStoreStats(
        transactions - earlier.transactions,
        groupCommits - earlier.groupCommits,
        fsyncs - earlier.fsyncs,
        logBytesWritten - earlier.logBytesWritten,
        compactionsStarted - earlier.compactionsStarted,
        compactions - earlier.compactions,
        compactionNanos - earlier.compactionNanos,
        maxCompactionNanos,
        switchNanos - earlier.switchNanos,
        maxSwitchNanos,
        logSize,
        snapshotSize);
  }
}
