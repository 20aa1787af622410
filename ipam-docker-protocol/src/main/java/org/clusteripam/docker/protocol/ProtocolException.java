package org.clusteripam.docker.protocol;

/** A request Docker sent that cannot be understood; the message is shown to the Docker user. */
final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ProtocolException(String message) {
    super(message, null, false, false);
  }
}
