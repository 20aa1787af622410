package org.clusteripam.core.testing;

import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.store.TxnView;

/**
 * A {@link TxnView} that forwards every call to another: test stores override only the calls they
 * tamper with or observe (the {@code ForwardingStateStore} pattern, one level down).
 */
public class ForwardingTxnView implements TxnView {
  private final TxnView delegate;

  public ForwardingTxnView(TxnView delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<byte[]> get(String key) {
    return delegate.get(key);
  }

  @Override
  public SortedMap<String, byte[]> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public SortedMap<String, byte[]> scan(String prefix) {
    return delegate.scan(prefix);
  }

  @Override
  public void put(String key, byte[] value) {
    delegate.put(key, value);
  }

  @Override
  public void delete(String key) {
    delegate.delete(key);
  }
}
