package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bed's private network: a hub namespace with a bridge, and one namespace per host joined to it
 * by a veth pair created inside the hub. Nothing is added to the root namespace.
 */
final class HubNetwork implements AutoCloseable {
  static final String PREFIX = "172.31.250.";
  static final int PREFIX_LENGTH = 24;

  /** The hub bridge's own address: services every host must reach (etcd) listen here. */
  static final String HUB_ADDRESS = PREFIX + "254";

  private static final Duration T = Duration.ofSeconds(10);

  private final String tag;
  private final List<String> namespaces = new ArrayList<>();

  private HubNetwork(String tag) {
    this.tag = tag;
  }

  /**
   * Creates the hub namespace and its bridge; names start with {@code tag} so parallel beds never
   * clash.
   */
  static HubNetwork create(String tag) {
    HubNetwork net = new HubNetwork(tag);
    try {
      String hub = net.hubNamespace();
      net.addNamespace(hub);
      ip("-n", hub, "link", "set", "lo", "up");
      ip("-n", hub, "link", "add", "br0", "type", "bridge");
      ip("-n", hub, "addr", "add", HUB_ADDRESS + "/" + PREFIX_LENGTH, "dev", "br0");
      ip("-n", hub, "link", "set", "br0", "up");
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  String hubNamespace() {
    return tag + "hub";
  }

  /**
   * Creates host {@code index}'s namespace (address {@code PREFIX + index}) and plugs it into the
   * hub.
   */
  String addHost(int index) {
    if (index < 1 || index > 250) {
      throw new IllegalArgumentException("host index must be 1..250, was " + index);
    }
    String ns = tag + "h" + index;
    addNamespace(ns);
    String hubSide = "v" + index;
    ip(
        "-n",
        hubNamespace(),
        "link",
        "add",
        hubSide,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        ns);
    ip("-n", hubNamespace(), "link", "set", hubSide, "master", "br0", "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", address(index) + "/" + PREFIX_LENGTH, "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    return ns;
  }

  static String address(int index) {
    return PREFIX + index;
  }

  private void addNamespace(String ns) {
    ip("netns", "add", ns);
    namespaces.add(ns);
  }

  /** Deletes every namespace this network created (a veth goes with its namespace); best effort. */
  @Override
  public void close() {
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      Commands.run(T, "ip", "netns", "delete", namespaces.get(i));
    }
    namespaces.clear();
  }

  private static void ip(String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "ip";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Commands.must(T, cmd);
  }
}
