package org.clusteripam.etcd.file;

/** The SPI's key rule: non-empty printable ASCII without spaces (same check as the in-memory store). */
final class Keys {
  private Keys() {}

  static void check(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("store keys must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("store key \"" + key + "\" has a character outside printable ASCII");
      }
    }
  }
}
