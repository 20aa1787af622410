package org.clusteripam.daemon.perhost;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the per-host data path needs from the host's kernel and the daemon does not set itself, read
 * from {@code /proc} of the calling thread's network namespace: IP forwarding, IPVS's conntrack
 * integration, and a way for same-bridge replies to pass IPVS (the kernel parts of the MASQUERADE
 * rule for IPVS traffic, or br_netfilter). It only reads: forwarding and NAT are the host's
 * firewall policy, and the managed plugin sees {@code /proc/sys} read-only and has no iptables.
 */
public final class DataPathPreflight {
  /** One missing piece: what, why the data path needs it, and the command that provides it. */
  public record Missing(String what, String why, String fix) {
    @Override
    public String toString() {
      return what + " (" + why + "; fix: " + fix + ")";
    }
  }

  static final String MASQUERADE_FIX =
      "iptables -t nat -A POSTROUTING -m ipvs --ipvs --vdir ORIGINAL --vmethod MASQ -o BRIDGE -j"
          + " MASQUERADE";
  static final String BRIDGE_NETFILTER_FIX =
      "modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1";

  private final Path proc;

  DataPathPreflight(Path proc) {
    this.proc = proc;
  }

  /** Reads the real {@code /proc}. */
  public static DataPathPreflight system() {
    return new DataPathPreflight(Path.of("/proc"));
  }

  /** Everything missing now; empty when the host is ready. */
  public List<Missing> check() {
    List<Missing> out = new ArrayList<>();
    if (!"1".equals(read("sys/net/ipv4/ip_forward"))) {
      out.add(
          new Missing(
              "net.ipv4.ip_forward=1",
              "hosts forward container traffic to other hosts' blocks",
              "sysctl -w net.ipv4.ip_forward=1"));
    }
    String conntrack = read("sys/net/ipv4/vs/conntrack");
    if (conntrack == null) {
      out.add(
          new Missing(
              "ip_vs module", "the load balancer is kernel IPVS", "modprobe ip_vs ip_vs_rr"));
    } else if (!"1".equals(conntrack)) {
      out.add(
          new Missing(
              "net.ipv4.vs.conntrack=1",
              "IPVS connections must be in conntrack for the MASQUERADE rule to see them",
              "sysctl -w net.ipv4.vs.conntrack=1"));
    }
    // Replies of a task to a client on its own bridge must pass IPVS. Either a MASQUERADE rule for
    // IPVS traffic sends them to the host (xt_ipvs registers the "-m ipvs" match only when loaded,
    // and iptables loads it when a rule uses it, legacy and nft backends alike), or br_netfilter
    // hands bridged IPv4 to IPVS's FORWARD hook (for kernels without IPv4 NAT, as Debian's UML
    // 7.x).
    boolean ipvsMatch = lines(net("ip_tables_matches")).contains("ipvs");
    boolean bridgeNetfilter = "1".equals(read("sys/net/bridge/bridge-nf-call-iptables"));
    if (!ipvsMatch && !bridgeNetfilter) {
      out.add(
          new Missing(
              "MASQUERADE rule for IPVS traffic (the ipvs match is not loaded) or br_netfilter"
                  + " (net.bridge.bridge-nf-call-iptables is not 1)",
              "replies of a task on the client's own bridge must come back through IPVS",
              MASQUERADE_FIX + "; or, where the kernel has no IPv4 NAT: " + BRIDGE_NETFILTER_FIX));
    }
    return out;
  }

  /**
   * {@code /proc/thread-self/net} when it exists: {@code /proc/net} follows the process's
   * namespace, not the thread's.
   */
  private Path net(String file) {
    Path threadSelf = proc.resolve("thread-self/net");
    return (Files.isDirectory(threadSelf) ? threadSelf : proc.resolve("net")).resolve(file);
  }

  private String read(String relative) {
    try {
      return Files.readString(proc.resolve(relative), StandardCharsets.US_ASCII).strip();
    } catch (IOException | SecurityException e) {
      return null;
    }
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.US_ASCII).stream().map(String::strip).toList();
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }
}
