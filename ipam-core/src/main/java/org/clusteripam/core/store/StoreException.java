package org.clusteripam.core.store;

/** A failure of the store itself (not of an allocation decision). */
public sealed class StoreException extends RuntimeException
    permits StoreUnavailableException, StoreConflictException, StoreCorruptException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
