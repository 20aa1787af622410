package org.clusteripam.core.store;

/** A transaction kept conflicting with concurrent writers and its retries ran out. */
public final class StoreConflictException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreConflictException(String message) {
    super(message, null);
  }
}
