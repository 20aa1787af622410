package org.clusteripam.core.store;

/**
 * Stored data cannot be read: a torn or corrupt file, or a value under the prefix that does not
 * decode. The message names the key or file. Never answered by silently starting from empty state.
 */
public final class StoreCorruptException extends StoreException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public StoreCorruptException(String key, String message, Throwable cause) {
    super("corrupt data at " + key + ": " + message, cause);
    this.key = key;
  }

  /** The key (or file) that could not be read. */
  public String key() {
    return key;
  }
}
