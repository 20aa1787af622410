package org.clusteripam.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import org.clusteripam.core.store.StoreKeys;

/** Maps the SPI's relative keys to etcd keys under the configured prefix, and back. */
final class KeyCodec {
  private final String prefix;

  KeyCodec(String prefix) {
    this.prefix = prefix;
  }

  ByteSequence full(String key) {
    return ByteSequence.from(prefix + key, StandardCharsets.UTF_8);
  }

  ByteSequence prefix() {
    return ByteSequence.from(prefix, StandardCharsets.UTF_8);
  }

  /** The relative key, or null for a key outside the prefix. */
  String relative(ByteSequence full) {
    String s = full.toString(StandardCharsets.UTF_8);
    return s.startsWith(prefix) ? s.substring(prefix.length()) : null;
  }

  String prefixString() {
    return prefix;
  }

  static void check(String key) {
    StoreKeys.check(key);
  }
}
