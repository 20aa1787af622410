package org.clusteripam.core.cni;

/** CHECK found no reservation (or not the one the runtime expects) for an attachment. */
public final class AttachmentMissingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AttachmentMissingException(String message) {
    super(message);
  }
}
