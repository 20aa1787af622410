package org.clusteripam.docker.protocol;

import org.clusteripam.core.ipam.IpamException;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.core.store.StoreUnavailableException;

/**
 * Turns failures into the one-line message Docker shows as {@code remote: ...}: never a stack
 * trace, never "null", no control characters, bounded length.
 */
final class ErrorMessages {
  static final int MAX_LENGTH = 1000;

  private ErrorMessages() {}

  /** The user-facing message for a failure of {@code method}. */
  static String forFailure(String method, Throwable t) {
    if (t instanceof ProtocolException || t instanceof IpamException) {
      return describe(t);
    }
    if (t instanceof StoreException s) {
      return storeKind(s) + ": " + describe(s);
    }
    if (t instanceof IllegalArgumentException) {
      return "invalid " + method + " request: " + describe(t);
    }
    return "internal error in " + method + ": " + t.getClass().getSimpleName() + messageSuffix(t);
  }

  private static String storeKind(StoreException s) {
    if (s instanceof StoreUnavailableException) {
      return "store unavailable";
    }
    if (s instanceof StoreConflictException) {
      return "store conflict (too many concurrent writers, retry)";
    }
    if (s instanceof StoreCorruptException) {
      return "store corrupt";
    }
    return "store failure";
  }

  /** The exception's own message, cleaned, or its type when it has none. */
  static String describe(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank() || m.equals("null")) {
      Throwable cause = t.getCause();
      return cause != null && cause != t ? describe(cause) : t.getClass().getSimpleName();
    }
    return printable(m);
  }

  private static String messageSuffix(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? "" : ": " + printable(m);
  }

  /** Replaces control characters, and cuts the text to {@link #MAX_LENGTH} characters. */
  static String printable(String text) {
    String cut = text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "..." : text;
    StringBuilder sb = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      sb.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return sb.toString();
  }
}
