package org.clusteripam.core.store;

import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;

/**
 * The one storage interface of cluster-ipam: a transactional map of string keys to byte values.
 *
 * <p>Implementations: {@link InMemoryStateStore} (tests, embedding), the embedded durable file
 * store and the etcd store (module {@code ipam-etcd}). They pass the same contract suite. The store
 * knows nothing about what the bytes mean; {@code ipam-core} encodes its records and makes every
 * allocation decision inside {@link Txn} functions.
 *
 * <p>Transactions are optimistic (etcd's STM): a {@link Txn} reads keys through its {@link
 * TxnView}, which records each key's revision; the store commits the writes only if none of the
 * keys read has changed (create: the key is still absent; update: its mod revision is the one
 * read). On conflict the function is run again against fresh values, up to a bound with jitter,
 * then {@link StoreConflictException}. A store may run several concurrent transactions in one
 * commit (group commit); each still succeeds or fails on its own, and each sees the writes of those
 * batched before it. Therefore a {@code Txn} must be a pure function of what it reads: no side
 * effects outside the view, safe to run more than once.
 *
 * <p>Keys are relative ({@code pools/...}); a store may add its own prefix. Keys are non-empty,
 * printable ASCII without spaces.
 */
public interface StateStore extends AutoCloseable {

  /**
   * Runs {@code txn} atomically and returns its result. An exception thrown by {@code txn} itself
   * propagates unchanged and nothing it wrote is committed.
   *
   * @param name a short name of the operation, used in errors, logs and metrics
   * @throws StoreUnavailableException the store could not be reached within its timeout; nothing
   *     was committed unless the store later shows the writes (a timeout after sending is ambiguous
   *     in any networked store; callers make operations idempotent)
   * @throws StoreConflictException retries were exhausted
   */
  <R> R transact(String name, Txn<R> txn);

  /**
   * As {@link #transact(String, Txn)}, for a transaction that races peers writing exactly {@code
   * presumed} (key → value), e.g. many hosts creating the same pool record at once: where the
   * commit fails only because those keys now hold those values, a store may commit in the same
   * round trip what {@code txn} does when it reads them (it runs {@code txn} a second time against
   * them), so that losing the race costs no retry. The default simply transacts; so does any
   * decorator that does not override this.
   */
  default <R> R transact(String name, Txn<R> txn, java.util.Map<String, byte[]> presumed) {
    return transact(name, txn);
  }

  /**
   * An untracked, possibly slightly stale read (from a cache where the store keeps one). For hints
   * such as "which blocks does this host own"; decisions are made on tracked reads in a {@link
   * Txn}.
   */
  Optional<Versioned> peek(String key);

  /** A consistent snapshot of every key under {@code prefix}, sorted by key. */
  SortedMap<String, Versioned> list(String prefix);

  /**
   * {@code key} as {@link #list} reads it (linearizable where the store's listings are), for a
   * decision that must see every commit before it, unlike {@link #peek}.
   */
  default Optional<Versioned> read(String key) {
    return Optional.ofNullable(list(key).get(key));
  }

  /**
   * Every key under {@code prefix} and the revision they were read at, in one consistent read: a
   * transaction committed at or before that revision is in it entirely, a later one not at all. The
   * source of every read-only view of the state (show, check, metrics, reconciliation).
   */
  StoreSnapshot snapshot(String prefix);

  /**
   * The store's current revision. Every committed write gets a higher revision than any read before
   * it, so "last written before revision R" can be checked with {@link Versioned#modRevision()}.
   */
  long revision();

  /**
   * Keeps {@code key} present with {@code value} while this store is open and the process lives; in
   * etcd it is attached to a lease of {@code ttl} and disappears when the host stops renewing it.
   * Used for host liveness. Calling again replaces the value.
   */
  void keepAlive(String key, byte[] value, Duration ttl);

  /**
   * Calls {@code listener} with each key under {@code prefix} that changes (created, updated or
   * deleted) after this call, including changes by other processes where the store is shared. Best
   * effort: a listener may see a key more than once. Close the handle to stop.
   */
  AutoCloseable watch(String prefix, Consumer<String> listener);

  /** A human-readable description (kind, location), for logs and {@code show}. */
  String describe();

  @Override
  void close();
}
