package org.clusteripam.core.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.net.IpPrefix;

/**
 * The carving parameters stored at key {@code config}: every pool and block in the store was cut
 * with them, so a node started with different ones is refused rather than silently mixing layouts.
 */
public record CarvingConfig(
    IpPrefix supernetV4, Optional<IpPrefix> supernetV6, int networkLengthV4, int networkLengthV6, int blockLengthV4, int blockLengthV6) {

  /** Human-readable differences from {@code other}, empty when equal. */
  public List<String> differences(CarvingConfig other) {
    List<String> d = new ArrayList<>();
    diff(d, "supernet v4", supernetV4, other.supernetV4);
    diff(d, "supernet v6", supernetV6.map(Object::toString).orElse("none"), other.supernetV6.map(Object::toString).orElse("none"));
    diff(d, "network prefix length v4", networkLengthV4, other.networkLengthV4);
    diff(d, "network prefix length v6", networkLengthV6, other.networkLengthV6);
    diff(d, "host block length v4", blockLengthV4, other.blockLengthV4);
    diff(d, "host block length v6", blockLengthV6, other.blockLengthV6);
    return d;
  }

  private static void diff(List<String> d, String what, Object stored, Object mine) {
    if (!stored.equals(mine)) {
      d.add(what + " is " + stored + " in the store but " + mine + " here");
    }
  }
}
