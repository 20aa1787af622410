package org.clusteripam.cni;

import java.util.List;
import java.util.Optional;

/** The CNI spec versions whose results this plugin writes, and what each allows. */
public enum CniVersion {
  V0_3_0("0.3.0"),
  V0_3_1("0.3.1"),
  V0_4_0("0.4.0"),
  V1_0_0("1.0.0"),
  V1_1_0("1.1.0");

  public static final CniVersion LATEST = V1_1_0;

  private final String text;

  CniVersion(String text) {
    this.text = text;
  }

  public String text() {
    return text;
  }

  public static Optional<CniVersion> parse(String s) {
    for (CniVersion v : values()) {
      if (v.text.equals(s)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  public static List<String> supported() {
    return java.util.Arrays.stream(values()).map(CniVersion::text).toList();
  }

  /** CHECK exists from 0.4.0 on. */
  public boolean allowsCheck() {
    return compareTo(V0_4_0) >= 0;
  }

  /** STATUS and GC exist from 1.1.0 on. */
  public boolean allowsStatusAndGc() {
    return compareTo(V1_1_0) >= 0;
  }

  /** Before 1.0.0 every entry of {@code ips} carries {@code "version": "4"|"6"}. */
  public boolean ipsCarryVersion() {
    return compareTo(V1_0_0) < 0;
  }
}
