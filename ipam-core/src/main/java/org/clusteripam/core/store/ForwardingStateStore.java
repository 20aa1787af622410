package org.clusteripam.core.store;

import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;

/**
 * A {@link StateStore} that forwards every call to another one (as Guava's {@code Forwarding*}
 * classes do): a decorator overrides only what it changes, e.g. {@link #transact} to observe
 * transactions, or {@link #close} to leave a shared store open.
 */
public abstract class ForwardingStateStore implements StateStore {
  private final StateStore delegate;

  protected ForwardingStateStore(StateStore delegate) {
    this.delegate = delegate;
  }

  /** The store calls are forwarded to. */
  protected final StateStore delegate() {
    return delegate;
  }

  @Override
  public <R> R transact(String name, Txn<R> txn) {
    return delegate.transact(name, txn);
  }

  @Override
  public Optional<Versioned> peek(String key) {
    return delegate.peek(key);
  }

  @Override
  public SortedMap<String, Versioned> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public StoreSnapshot snapshot(String prefix) {
    return delegate.snapshot(prefix);
  }

  @Override
  public long revision() {
    return delegate.revision();
  }

  @Override
  public void keepAlive(String key, byte[] value, Duration ttl) {
    delegate.keepAlive(key, value, ttl);
  }

  @Override
  public AutoCloseable watch(String prefix, Consumer<String> listener) {
    return delegate.watch(prefix, listener);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
