package org.clusteripam.lb;

/**
 * Traffic counters of a service or destination (IPVS_STATS_ATTR_*, the 64-bit set when present).
 */
public record IpvsStats(
    long connections,
    long inPackets,
    long outPackets,
    long inBytes,
    long outBytes,
    long connectionsPerSecond,
    long inPacketsPerSecond,
    long outPacketsPerSecond,
    long inBytesPerSecond,
    long outBytesPerSecond) {

  public static final IpvsStats ZERO = new IpvsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
