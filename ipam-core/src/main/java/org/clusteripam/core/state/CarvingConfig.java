package org.clusteripam.core.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.clusteripam.core.alloc.FamilyCarving;
import org.clusteripam.core.net.IpFamily;

/**
 * The carving parameters stored at key {@code config}: every pool and block in the store was cut
 * with them, so a node started with different ones is refused rather than silently mixing layouts.
 */
public record CarvingConfig(FamilyCarving v4, FamilyCarving v6) {

  public CarvingConfig {
    Objects.requireNonNull(v4, "v4");
    Objects.requireNonNull(v6, "v6");
    if (v4.family() != IpFamily.IPV4 || v6.family() != IpFamily.IPV6) {
      throw new IllegalArgumentException(
          "v4 must carve IPv4 and v6 IPv6, got " + v4.family() + " and " + v6.family());
    }
  }

  public FamilyCarving family(IpFamily f) {
    return f == IpFamily.IPV4 ? v4 : v6;
  }

  /** Human-readable differences from {@code other}, empty when equal. */
  public List<String> differences(CarvingConfig other) {
    List<String> d = new ArrayList<>();
    for (IpFamily f : IpFamily.values()) {
      FamilyCarving stored = family(f);
      FamilyCarving mine = other.family(f);
      String v = f == IpFamily.IPV4 ? "v4" : "v6";
      diff(
          d,
          "supernet " + v,
          stored.supernet().map(Object::toString).orElse("none"),
          mine.supernet().map(Object::toString).orElse("none"));
      diff(d, "network prefix length " + v, stored.networkLength(), mine.networkLength());
      diff(d, "host block length " + v, stored.blockLength(), mine.blockLength());
    }
    return d;
  }

  private static void diff(List<String> d, String what, Object stored, Object mine) {
    if (!stored.equals(mine)) {
      d.add(what + " is " + stored + " in the store but " + mine + " here");
    }
  }
}
