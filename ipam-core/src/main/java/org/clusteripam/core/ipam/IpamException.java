package org.clusteripam.core.ipam;

/**
 * A request that cannot be granted. The message is shown to Docker users as {@code remote: ...}, so
 * it says what was asked, what is wrong, and where (the level and CIDR that ran out).
 */
public abstract sealed class IpamException extends RuntimeException
    permits InvalidRequestException, UnknownPoolException, ExhaustedException, ConflictException {
  private static final long serialVersionUID = 1L;

  protected IpamException(String message) {
    super(message);
  }
}
