package org.clusteripam.etcd;

/**
 * Counters of an {@link EtcdStateStore} since it was opened, for benchmarks and metrics.
 *
 * @param roundTrips requests sent to etcd (transactions, reads, lease calls)
 * @param etcdTxns etcd transactions sent by group commit
 * @param transacts {@code transact} calls committed (or answered read-only) through those
 * @param conflicts etcd transactions whose compares failed
 * @param retries re-runs of a batch after a conflict
 * @param largestBatch most {@code transact} calls carried by one etcd transaction
 * @param functionNanos time the committer thread spent running {@code Txn} functions
 * @param bytesWritten key (with the prefix) plus value bytes of the puts of committed transactions
 */
public record EtcdStoreStats(
    long roundTrips,
    long etcdTxns,
    long transacts,
    long conflicts,
    long retries,
    long largestBatch,
    long functionNanos,
    long bytesWritten) {

  /** The counters accumulated since {@code earlier}. */
  public EtcdStoreStats minus(EtcdStoreStats earlier) {
    return new EtcdStoreStats(
        roundTrips - earlier.roundTrips,
        etcdTxns - earlier.etcdTxns,
        transacts - earlier.transacts,
        conflicts - earlier.conflicts,
        retries - earlier.retries,
        largestBatch,
        functionNanos - earlier.functionNanos,
        bytesWritten - earlier.bytesWritten);
  }
}
