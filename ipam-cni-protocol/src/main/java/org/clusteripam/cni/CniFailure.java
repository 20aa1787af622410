package org.clusteripam.cni;

/**
 * A CNI error object to return: {@code code} (1-99 the spec's, 100+ this plugin's), a short {@code
 * msg} and optional {@code details}.
 */
public final class CniFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The spec's codes and this plugin's own. */
  public static final int INCOMPATIBLE_VERSION = 1;

  public static final int INVALID_ENVIRONMENT = 4;
  public static final int IO_FAILURE = 5;
  public static final int DECODE_FAILURE = 6;
  public static final int INVALID_CONFIG = 7;
  public static final int TRY_AGAIN_LATER = 11;
  public static final int NOT_AVAILABLE = 50;

  /** A level of the hierarchy ran out: the message names the level and its CIDR. */
  public static final int EXHAUSTED = 100;

  /** A requested address is held by someone else. */
  public static final int ADDRESS_IN_USE = 101;

  /** CHECK: the reservation is missing or not the one the runtime recorded. */
  public static final int RESERVATION_MISSING = 102;

  public static final int INTERNAL = 199;

  private final int code;
  private final String details;

  public CniFailure(int code, String msg, String details) {
    super(msg);
    this.code = code;
    this.details = details == null ? "" : details;
  }

  public CniFailure(int code, String msg) {
    this(code, msg, "");
  }

  public int code() {
    return code;
  }

  public String details() {
    return details;
  }
}
