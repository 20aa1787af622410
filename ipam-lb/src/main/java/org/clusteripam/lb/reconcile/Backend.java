package org.clusteripam.lb.reconcile;

import java.util.Objects;
import org.clusteripam.core.net.IpAddress;

/** A desired real server: address and port identify it, weight is what it should have. */
public record Backend(IpAddress address, int port, int weight) {
  public Backend {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 0xffff) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (weight < 0) {
      throw new IllegalArgumentException("negative weight: " + weight);
    }
  }

  public static Backend of(String address, int port, int weight) {
    return new Backend(IpAddress.parse(address), port, weight);
  }

  Endpoint endpoint() {
    return new Endpoint(address, port);
  }
}
