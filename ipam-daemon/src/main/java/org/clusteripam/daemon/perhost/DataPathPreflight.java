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
 * integration, and the kernel parts of the MASQUERADE rule for IPVS traffic. It only reads:
 * forwarding and NAT are the host's firewall policy, and the managed plugin sees {@code /proc/sys}
 * read-only and has no iptables.
 */
public final class DataPathPreflight {
  /** One missing piece: what, why the data path needs it, and the command that provides it. */
  public record Missing(String what, String why, String fix) {
    @Override
    public String toString() {
      return what + " (" + why + "; fix: " + fix + ")";
    }
  }

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
    // xt_ipvs registers the match only when loaded, and iptables loads it when a rule uses it (both
    // the legacy and the nft backend): without it no "-m ipvs" rule can exist.
    if (!lines(net("ip_tables_matches")).contains("ipvs")) {
      out.add(
          new Missing(
              "MASQUERADE rule for IPVS traffic (the ipvs match is not loaded)",
              "replies of a task on the client's own bridge must come back through IPVS",
              "iptables -t nat -A POSTROUTING -m ipvs --ipvs --vdir ORIGINAL --vmethod MASQ -o BRIDGE -j MASQUERADE"));
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
