package org.clusteripam.core.ipam;

/**
 * The one rule for the identifiers that become parts of store keys and holder names (host ids,
 * swarm service and task ids): 1 to {@code max} characters of {@code [A-Za-z0-9._-]}, so they never
 * contain the {@code /} and {@code @} that separate and mark holder names.
 */
public final class Names {
  private Names() {}

  public static boolean isValid(String s, int max) {
    return s != null && !s.isEmpty() && s.length() <= max && s.chars().allMatch(Names::allowed);
  }

  /** The message for an invalid {@code value} of {@code what} (e.g. "host id"). */
  public static String problem(String what, int max, String value) {
    return what + " must be 1-" + max + " characters of [A-Za-z0-9._-], got \"" + value + "\"";
  }

  private static boolean allowed(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }
}
