package org.clusteripam.etcd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.clusteripam.core.store.StoreUnavailableException;

/**
 * Waits for an etcd call with the store's timeout and turns every failure into a clear store error.
 */
final class EtcdCalls {
  private EtcdCalls() {}

  static <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new StoreUnavailableException(
          "etcd did not answer " + what + " within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      throw new StoreUnavailableException("etcd failed " + what + ": " + c.getMessage(), c);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for etcd to " + what, e);
    }
  }
}
