package org.clusteripam.core.ipam;

/** The request is malformed or inconsistent (bad CIDR, address outside its pool, unknown space). */
public final class InvalidRequestException extends IpamException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
