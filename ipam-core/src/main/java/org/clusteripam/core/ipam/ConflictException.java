package org.clusteripam.core.ipam;

/** The request collides with existing state: an overlapping pool, an address held by another. */
public final class ConflictException extends IpamException {
  private static final long serialVersionUID = 1L;

  public ConflictException(String message) {
    super(message);
  }
}
