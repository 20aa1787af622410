package org.clusteripam.core.store;

/** The store could not be reached or did not answer within its timeout. */
public final class StoreUnavailableException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
