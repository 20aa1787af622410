package org.clusteripam.core.store;

/** The key rule every {@link StateStore} enforces: non-empty printable ASCII without spaces. */
public final class StoreKeys {
  private StoreKeys() {}

  /** Throws {@link IllegalArgumentException} naming the key if it breaks the rule. */
  public static void check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("store keys must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "store key \"" + key + "\" has a character outside printable ASCII");
      }
    }
  }
}
