package org.clusteripam.core.perhost;

import java.util.Objects;

/** A port a service's tasks listen on (a target port of its endpoint spec). */
public record ServicePort(PortProtocol protocol, int port) implements Comparable<ServicePort> {
  public ServicePort {
    Objects.requireNonNull(protocol, "protocol");
    if (port < 1 || port > 0xffff) {
      throw new IllegalArgumentException("port must be 1-65535, got " + port);
    }
  }

  /** {@code 80/tcp}. */
  public static ServicePort parse(String text) {
    int slash = text.indexOf('/');
    try {
      return slash < 0
          ? new ServicePort(PortProtocol.TCP, Integer.parseInt(text.strip()))
          : new ServicePort(
              PortProtocol.parse(text.substring(slash + 1)),
              Integer.parseInt(text.substring(0, slash).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not a port: \"" + text + "\" (expected PORT or PORT/PROTOCOL)", e);
    }
  }

  @Override
  public int compareTo(ServicePort o) {
    int c = protocol.compareTo(o.protocol);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return port + "/" + protocol.dockerName();
  }
}
