package org.clusteripam.daemon.perhost;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.lb.route.Routes;

/**
 * Routed per-host blocks on this host ({@code --advertise-addr}, {@code --route-protocol}): the
 * address the other hosts route this host's blocks to, and the rtm_protocol of the routes this host
 * keeps. Without an address this host neither publishes one nor keeps routes. {@code dnsListen}
 * ({@code --dns-listen}): where this host's service-name resolver answers; empty: no resolver.
 */
public record PerHostRouting(
    Optional<IpAddress> advertise, int protocol, List<InetSocketAddress> dnsListen) {
  public PerHostRouting {
    Routes.checkProtocol(protocol);
    dnsListen = List.copyOf(dnsListen);
  }

  public PerHostRouting(Optional<IpAddress> advertise, int protocol) {
    this(advertise, protocol, List.of());
  }

  /**
   * The same with the resolver on {@code --dns-listen} ("" or "none": no resolver; ADDR, ADDR:PORT,
   * [V6]:PORT, comma-separated).
   */
  public PerHostRouting withDnsListen(String listen) {
    List<InetSocketAddress> out = new java.util.ArrayList<>();
    String l = listen == null ? "" : listen.strip();
    if (!l.isEmpty() && !l.equalsIgnoreCase("none")) {
      for (String item : l.split(",")) {
        out.add(dnsAddress(item.strip()));
      }
    }
    return new PerHostRouting(advertise, protocol, out);
  }

  private static InetSocketAddress dnsAddress(String item) {
    String host = item;
    int port = 53;
    try {
      if (item.startsWith("[")) {
        int end = item.indexOf(']');
        host = item.substring(1, end);
        if (end + 1 < item.length()) {
          port = Integer.parseInt(item.substring(end + 2));
        }
      } else if (item.chars().filter(c -> c == ':').count() == 1) {
        host = item.substring(0, item.indexOf(':'));
        port = Integer.parseInt(item.substring(item.indexOf(':') + 1));
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port);
      }
      return new InetSocketAddress(IpAddress.parse(host).toInetAddress(), port);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--dns-listen: expected ADDR, ADDR:PORT or [V6]:PORT, got \"" + item + "\"", e);
    }
  }

  public static PerHostRouting off() {
    return new PerHostRouting(Optional.empty(), Routes.DEFAULT_PROTOCOL);
  }

  /** {@code --advertise-addr} ("" or "none": off) and {@code --route-protocol}. */
  public static PerHostRouting parse(String advertise, int protocol) {
    String a = advertise == null ? "" : advertise.strip();
    try {
      Routes.checkProtocol(protocol);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--route-protocol: " + e.getMessage(), e);
    }
    if (a.isEmpty() || a.equalsIgnoreCase("none")) {
      return new PerHostRouting(Optional.empty(), protocol);
    }
    try {
      return new PerHostRouting(Optional.of(IpAddress.parse(a)), protocol);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--advertise-addr must be an IP address, got \"" + advertise + "\"", e);
    }
  }
}
