package org.clusteripam.core.ipam;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;

/** The request collides with existing state: an overlapping pool, an address held by another. */
public final class ConflictException extends IpamException {
  private static final long serialVersionUID = 1L;

  /**
   * The requester itself already holds the address it asked for, outside any replay window: either
   * a second endpoint on the host wants a taken address, or the host's release of it was lost (the
   * daemon was down when Docker released it). Only Docker can tell which.
   *
   * @param sinceMillis when the held allocation was made (for an ABA-safe conditional release)
   */
  public record SelfHeld(IpAddress address, long sinceMillis) implements java.io.Serializable {}

  private final SelfHeld selfHeld;

  public ConflictException(String message) {
    this(message, null);
  }

  public ConflictException(String message, SelfHeld selfHeld) {
    super(message);
    this.selfHeld = selfHeld;
  }

  /** Present when the conflicting holder is the requester itself. */
  public Optional<SelfHeld> selfHeld() {
    return Optional.ofNullable(selfHeld);
  }
}
