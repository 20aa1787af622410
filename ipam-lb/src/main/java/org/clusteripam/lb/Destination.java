package org.clusteripam.lb;

import java.util.Objects;
import org.clusteripam.core.net.IpAddress;

/**
 * A real server behind a virtual service. Weight 0 is "quiescent": no new connections, existing
 * ones continue. Thresholds of 0 mean unlimited. Connection counts and stats are read from the
 * kernel and ignored when writing.
 */
public record Destination(
    IpAddress address,
    int port,
    ForwardMethod forward,
    int weight,
    int upperThreshold,
    int lowerThreshold,
    int activeConnections,
    int inactiveConnections,
    int persistentConnections,
    IpvsStats stats) {

  public Destination {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(forward, "forward");
    Objects.requireNonNull(stats, "stats");
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** A NAT (masquerading) destination with the given weight and no thresholds. */
  public static Destination of(IpAddress address, int port, int weight) {
    return new Destination(
        address, port, ForwardMethod.MASQ, weight, 0, 0, 0, 0, 0, IpvsStats.ZERO);
  }

  public Destination withWeight(int newWeight) {
    return new Destination(
        address,
        port,
        forward,
        newWeight,
        upperThreshold,
        lowerThreshold,
        activeConnections,
        inactiveConnections,
        persistentConnections,
        stats);
  }

  public Destination withForward(ForwardMethod newForward) {
    return new Destination(
        address,
        port,
        newForward,
        weight,
        upperThreshold,
        lowerThreshold,
        activeConnections,
        inactiveConnections,
        persistentConnections,
        stats);
  }

  public Destination withThresholds(int upper, int lower) {
    return new Destination(
        address,
        port,
        forward,
        weight,
        upper,
        lower,
        activeConnections,
        inactiveConnections,
        persistentConnections,
        stats);
  }

  @Override
  public String toString() {
    String host = address.isV4() ? address.toString() : "[" + address + "]";
    return host
        + ":"
        + port
        + " "
        + forward
        + " w="
        + weight
        + " active="
        + activeConnections
        + " inactive="
        + inactiveConnections;
  }
}
