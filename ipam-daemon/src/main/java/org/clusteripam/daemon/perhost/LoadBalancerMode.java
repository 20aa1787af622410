package org.clusteripam.daemon.perhost;

import java.util.Locale;

/** {@code --load-balancer}: whether the per-host loop programs kernel IPVS. */
public enum LoadBalancerMode {
  /** Program IPVS when the kernel has it; otherwise compute only (logged once). */
  AUTO,
  /** Program IPVS; not being able to is an error, logged every pass (the loop keeps running). */
  ON,
  /** Compute the desired state only. */
  OFF;

  /** {@code auto}, {@code on} or {@code off}, any case; blank (an unset plugin setting) is auto. */
  public static LoadBalancerMode parse(String text) {
    if (text != null && text.isBlank()) {
      return AUTO;
    }
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "--load-balancer must be auto, on or off, got \"" + text + "\"", e);
    }
  }
}
