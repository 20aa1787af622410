package org.clusteripam.dns;

/** A message that is not a well-formed DNS message of the kind this codec reads. */
public final class DnsFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DnsFormatException(String message) {
    super(message);
  }
}
