package org.clusteripam.core.net;

/** Thrown when text is not a valid IP address, prefix or range. The message quotes the input. */
public final class IpFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  IpFormatException(String kind, String input, String reason) {
    super("invalid " + kind + " \"" + printable(input) + "\": " + reason);
  }

  private static String printable(String input) {
    if (input == null) {
      return "null";
    }
    String cut = input.length() > 64 ? input.substring(0, 64) + "..." : input;
    StringBuilder sb = new StringBuilder(cut.length());
    for (char c : cut.toCharArray()) {
      sb.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return sb.toString();
  }
}
