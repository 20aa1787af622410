package org.clusteripam.core.perhost;

import java.util.Locale;

/**
 * The transport protocols a service port can use (Docker's {@code tcp}, {@code udp}, {@code sctp}).
 */
public enum PortProtocol {
  TCP,
  UDP,
  SCTP;

  /** Docker's lower-case name ({@code tcp}); anything else is refused. */
  public static PortProtocol parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown port protocol \"" + text + "\" (tcp, udp or sctp)", e);
    }
  }

  /** Docker's spelling. */
  public String dockerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
