package org.clusteripam.daemon.perhost;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.testkit.uml.GuestReport;

/**
 * Per-host mode's data path with packets, inside user-mode-linux (see {@link DataPathKernelTest}).
 * Three hosts are network namespaces on one hub bridge (192.168.0.N); each has a container bridge
 * whose address is the pool's gateway, proxy ARP on it, and containers (namespaces with a veth on
 * the bridge) for tasks and one client. Each host runs the daemon's own per-host loop — the engine
 * on a store all hosts share, {@link KernelRouteApplier} and {@link LocalFrontends} over {@link
 * IpvsApplier} — on a thread inside its namespace, so its netlink sockets program that host's
 * kernel. The driver plays swarm (placeholders, mappings, the catalog) through the engine and
 * connects over TCP from the clients.
 */
public final class DataPathDriver {
  static final List<String> CHECKS =
      List.of(
          "preflight-names-what-the-host-lacks",
          "routes-to-other-hosts-blocks",
          "tasks-by-actual-address-across-hosts",
          "swarm-vip-spreads-over-all-hosts",
          "host-vip-spreads-over-all-hosts",
          "service-name-resolves-to-what-the-clients-host-balances",
          "placeholders-reach-their-task",
          "established-connection-survives-task-removal",
          "after-scale-and-restart-routes-adopted",
          "after-scale-and-restart-traffic");

  /**
   * How a task's reply to a client on its own bridge comes back through IPVS: a MASQUERADE rule for
   * IPVS traffic, or br_netfilter passing bridged IPv4 through IPVS's FORWARD hook.
   */
  static final String MASQUERADE = "masquerade";

  static final String BRIDGE_NETFILTER = "bridge-netfilter";
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/16");
  static final int PORT = 8080;
  static final int PROTO = 201;
  static final int HOSTS = 3;
  static final Map<String, String> PER_HOST = Map.of("addressing", "per-host");

  private final GuestReport report;
  private final String replyPath;
  private final InMemoryStateStore store = new InMemoryStateStore();
  private final DriverIpam manager;
  private final PoolId global;
  private final IpAddress gateway;
  private final IpAddress vip;
  private final AtomicReference<List<CatalogTask>> tasks = new AtomicReference<>(List.of());
  private final Map<String, Task> running = new LinkedHashMap<>();
  private final List<Netns> hostNs = new ArrayList<>();
  private final List<Netns> clientNs = new ArrayList<>();
  private final List<PerHostLoop> loops = new ArrayList<>();
  private final List<IpAddress> clients = new ArrayList<>();
  private final List<String> preflight = new ArrayList<>();
  private final List<ServiceResolver> resolvers = new ArrayList<>();
  private int taskSeq;

  record Task(String name, int host, IpAddress placeholder, IpAddress actual, Netns ns) {}

  private DataPathDriver(GuestReport report, String replyPath) {
    this.report = report;
    this.replyPath = replyPath;
    manager = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
    global =
        manager
            .requestPool(
                new PoolRequest(
                    host(1),
                    manager.addressSpaces().global(),
                    Optional.of(POOL),
                    Optional.empty(),
                    PER_HOST,
                    false))
            .id();
    gateway =
        manager
            .requestAddress(
                new AddressRequest(
                    host(1), global, Optional.empty(), AddressKind.GATEWAY, Map.of()))
            .address();
    vip = placeholder();
  }

  static HostId host(int n) {
    return new HostId("h" + n);
  }

  public static void main(String[] args) throws Exception {
    try (GuestReport report = GuestReport.open(Path.of(args[0]))) {
      try {
        new DataPathDriver(report, args.length > 1 ? args[1] : MASQUERADE).runAll();
      } catch (Throwable t) {
        report.fail("setup", t);
      }
      report.finish(CHECKS.size());
    }
  }

  private void runAll() throws Exception {
    topology();
    startLoops();
    for (int n = 1; n <= HOSTS; n++) {
      startTask(n);
    }
    publishAndPass();
    check(
        "preflight-names-what-the-host-lacks",
        () -> {
          // Each host before and after its operator set-up: forwarding and IPVS conntrack off, then
          // on.
          String expected = "[net.ipv4.ip_forward=1, net.ipv4.vs.conntrack=1] -> []";
          for (int n = 1; n <= HOSTS; n++) {
            if (!preflight.get(n - 1).equals(expected)) {
              throw new AssertionError(
                  "h" + n + " preflight " + preflight.get(n - 1) + ", expected " + expected);
            }
            if (!loops.get(n - 1).lastPreflight().isEmpty()) {
              throw new AssertionError(
                  "h" + n + "'s loop still reports " + loops.get(n - 1).lastPreflight());
            }
          }
          return "every host: " + expected;
        });
    check(
        "routes-to-other-hosts-blocks",
        () -> {
          StringBuilder s = new StringBuilder();
          for (int n = 1; n <= HOSTS; n++) {
            String r = sh("ip -n h" + n + " -4 route show table main proto " + PROTO);
            long count = r.lines().filter(l -> l.contains(" via 192.168.0.")).count();
            if (count != HOSTS - 1 || r.contains("via 192.168.0." + n + " ")) {
              throw new AssertionError("h" + n + " should route the 2 other hosts' blocks: " + r);
            }
            s.append("h").append(n).append(": ").append(r.strip().replace('\n', ';')).append(' ');
          }
          return s.toString();
        });
    check("tasks-by-actual-address-across-hosts", this::everyClientReachesEveryTask);
    check("swarm-vip-spreads-over-all-hosts", () -> spread(c -> vip));
    check("host-vip-spreads-over-all-hosts", () -> spread(this::hostVip));
    check("service-name-resolves-to-what-the-clients-host-balances", this::resolution);
    check(
        "placeholders-reach-their-task",
        () -> {
          for (int c = 0; c < HOSTS; c++) {
            for (Task t : running.values()) {
              String g = greet(c, t.placeholder());
              if (!g.startsWith(t.name() + " ")) {
                throw new AssertionError(
                    "client on h"
                        + (c + 1)
                        + " to placeholder "
                        + t.placeholder()
                        + " of "
                        + t.name()
                        + ": "
                        + g);
              }
            }
          }
          return running.size() + " placeholders from " + HOSTS + " clients";
        });
    check("established-connection-survives-task-removal", this::drain);
    // Scale change: one more task on every host, then every daemon restarts (new engine, new
    // sockets).
    for (int n = 1; n <= HOSTS; n++) {
      startTask(n);
    }
    restartLoops();
    publishAndPass();
    check(
        "after-scale-and-restart-routes-adopted",
        () -> {
          for (int n = 1; n <= HOSTS; n++) {
            String r = sh("ip -n h" + n + " -4 route show table main proto " + PROTO);
            if (r.lines().filter(l -> l.contains(" via ")).count() != HOSTS - 1) {
              throw new AssertionError("h" + n + " after restart: " + r);
            }
          }
          return "each host still has exactly one route per other host's block";
        });
    check(
        "after-scale-and-restart-traffic",
        () ->
            everyClientReachesEveryTask()
                + "; "
                + spread(c -> vip)
                + "; "
                + spread(this::hostVip)
                + "; "
                + resolution());
    for (PerHostLoop l : loops) {
      l.close();
    }
    resolvers.forEach(ServiceResolver::close);
  }

  // ---- topology -----------------------------------------------------------------------------

  private void topology() throws Exception {
    // The guest's root is the host's, read-only: namespace files need a writable /run.
    sh("mount -t tmpfs -o size=16m netns-run /run && mkdir -p /run/netns");
    sh("sysctl -qw net.ipv4.ip_forward=1 && ip link add hub0 type bridge && ip link set hub0 up");
    String ipt = "/usr/sbin/iptables-legacy";
    for (int n = 1; n <= HOSTS; n++) {
      String h = "h" + n;
      sh(
          "ip netns add "
              + h
              + " && ip -n "
              + h
              + " link set lo up"
              + " && ip link add "
              + h
              + "-p type veth peer name eth0 netns "
              + h
              + " && ip link set "
              + h
              + "-p master hub0 up"
              + " && ip -n "
              + h
              + " addr add 192.168.0."
              + n
              + "/24 dev eth0 && ip -n "
              + h
              + " link set eth0 up"
              // A fixed MAC: a bridge without one takes its lowest port's, so a new container could
              // change
              // it under the running containers' ARP entries for their gateway (as Docker's
              // bridges, it is set).
              + " && ip -n "
              + h
              + " link add br0 address 02:00:00:00:00:0"
              + n
              + " type bridge && ip -n "
              + h
              + " addr add "
              + gateway
              + "/"
              + POOL.length()
              + " dev br0"
              + " && ip -n "
              + h
              + " link set br0 up && ip netns exec "
              + h
              + " sysctl -qw net.ipv4.ip_forward=0");
      hostNs.add(new Netns(h));
      List<DataPathPreflight.Missing> before =
          hostNs.get(n - 1).call(() -> DataPathPreflight.system().check());
      sh(
          "ip netns exec "
              + h
              + " sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.br0.proxy_arp=1 net.ipv4.vs.conntrack=1"
              + " && ip netns exec "
              + h
              + (replyPath.equals(MASQUERADE)
                  ? " "
                      + ipt
                      + " -t nat -A POSTROUTING -m ipvs --ipvs --vdir ORIGINAL --vmethod MASQ"
                      + " -o br0 -j MASQUERADE"
                  : " sysctl -qw net.bridge.bridge-nf-call-iptables=1"));
      preflight.add(
          before.stream().map(DataPathPreflight.Missing::what).toList()
              + " -> "
              + hostNs.get(n - 1).call(() -> DataPathPreflight.system().check()).stream()
                  .map(DataPathPreflight.Missing::what)
                  .toList());
      IpAddress client = container(n, "c" + n, Optional.empty());
      clients.add(client);
      clientNs.add(new Netns("c" + n));
    }
  }

  /** A container on host n's bridge: a namespace with eth0 at an address of the host's blocks. */
  private IpAddress container(int n, String name, Optional<IpAddress> placeholder)
      throws Exception {
    PoolId local = localPool(n);
    IpAddress a =
        manager
            .requestAddress(
                new AddressRequest(host(n), local, placeholder, AddressKind.ENDPOINT, Map.of()))
            .address();
    String h = "h" + n;
    sh(
        "ip netns add "
            + name
            + " && ip -n "
            + name
            + " link set lo up"
            + " && ip link add v-"
            + name
            + " netns "
            + h
            + " type veth peer name eth0 netns "
            + name
            + " && ip -n "
            + h
            + " link set v-"
            + name
            + " master br0 up"
            + " && ip -n "
            + name
            + " addr add "
            + a
            + "/"
            + POOL.length()
            + " dev eth0 && ip -n "
            + name
            + " link set eth0 up"
            + " && ip -n "
            + name
            + " route add default via "
            + gateway);
    return a;
  }

  private PoolId localPool(int n) {
    PoolId id =
        manager
            .requestPool(
                new PoolRequest(
                    host(n),
                    manager.addressSpaces().local(),
                    Optional.of(POOL),
                    Optional.empty(),
                    PER_HOST,
                    false))
            .id();
    manager.requestAddress(
        new AddressRequest(host(n), id, Optional.of(gateway), AddressKind.GATEWAY, Map.of()));
    return id;
  }

  private IpAddress placeholder() {
    return manager
        .requestAddress(
            new AddressRequest(
                host(1), global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
        .address();
  }

  /**
   * Swarm schedules a task on host n: a placeholder from the manager, the node maps it, the task
   * listens.
   */
  private void startTask(int n) throws Exception {
    String name = "t" + (++taskSeq) + "-h" + n;
    IpAddress p = placeholder();
    IpAddress actual = container(n, name, Optional.of(p));
    Netns ns = new Netns(name);
    EchoServer.start(ns, name, PORT);
    running.put(name, new Task(name, n, p, actual, ns));
    List<CatalogTask> list = new ArrayList<>(tasks.get());
    list.add(new CatalogTask(name, p));
    tasks.set(list);
  }

  // ---- the daemons ----------------------------------------------------------------------------

  private void startLoops() throws Exception {
    for (int n = 1; n <= HOSTS; n++) {
      int host = n;
      PerHostLoop loop = hostNs.get(n - 1).call(() -> newLoop(host));
      loops.add(loop);
      // The daemon's resolver on the network's gateway (on every host's bridge), bound inside the
      // host's namespace.
      java.nio.channels.DatagramChannel ch =
          hostNs
              .get(n - 1)
              .call(
                  () ->
                      java.nio.channels.DatagramChannel.open()
                          .bind(new InetSocketAddress(gateway.toInetAddress(), 53)));
      resolvers.add(
          ServiceResolver.serving(ch, () -> loop.last().map(PerHostLoop.Snapshot::state)));
    }
  }

  private PerHostLoop newLoop(int n) {
    org.clusteripam.core.ipam.HostAddressing engine =
        IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).perHost();
    CatalogSource source =
        n == 1
            ? known ->
                new CatalogRead.Catalog(
                    Map.of(
                        POOL,
                        List.of(
                            new CatalogService(
                                "sweb",
                                "web",
                                Optional.of(vip),
                                List.of(ServicePort.parse(PORT + "/tcp")),
                                tasks.get()))),
                    List.of())
            : known -> new CatalogRead.NotManager("worker");
    LbApplier lb =
        LocalFrontends.over(IpvsApplier.forMode(LoadBalancerMode.ON, Clock.systemUTC()), PROTO);
    return new PerHostLoop(
            engine,
            host(n),
            source,
            lb,
            new PerHostRouting(Optional.of(IpAddress.parse("192.168.0." + n)), PROTO),
            KernelRouteApplier.open(PROTO),
            Duration.ofHours(1),
            new PerHostMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC())
        .withPreflight(DataPathPreflight.system());
  }

  private void restartLoops() throws Exception {
    for (PerHostLoop l : loops) {
      l.close();
    }
    resolvers.forEach(ServiceResolver::close);
    resolvers.clear();
    loops.clear();
    startLoops();
  }

  /**
   * The manager's pass first (it publishes the catalog), then every host twice (addresses, then
   * routes to all).
   */
  private void publishAndPass() throws Exception {
    for (int round = 0; round < 2; round++) {
      for (int n = 1; n <= HOSTS; n++) {
        PerHostLoop l = loops.get(n - 1);
        boolean ok = hostNs.get(n - 1).call(l::pass);
        if (!ok && round == 1) {
          throw new AssertionError("pass on h" + n + " failed; see the driver log");
        }
      }
    }
  }

  private IpAddress hostVip(int client) {
    return loops.get(client).last().orElseThrow().state().vips().stream()
        .filter(VipRoute::hostVip)
        .map(VipRoute::frontend)
        .findFirst()
        .orElseThrow(() -> new AssertionError("h" + (client + 1) + " has no VIP of its own"));
  }

  // ---- traffic --------------------------------------------------------------------------------

  private String everyClientReachesEveryTask() throws Exception {
    int ok = 0;
    for (int c = 0; c < HOSTS; c++) {
      for (Task t : running.values()) {
        String g = greet(c, t.actual());
        if (!g.startsWith(t.name() + " ")) {
          throw new AssertionError(
              "client on h" + (c + 1) + " to " + t.actual() + " (" + t.name() + "): " + g);
        }
        ok++;
      }
    }
    return ok + " connections, every client to every task on every host";
  }

  private String spread(java.util.function.IntFunction<IpAddress> frontend) throws Exception {
    StringBuilder s = new StringBuilder();
    for (int c = 0; c < HOSTS; c++) {
      IpAddress f = frontend.apply(c);
      TreeSet<Integer> hosts = new TreeSet<>();
      TreeSet<String> seen = new TreeSet<>();
      for (int i = 0; i < 2 * running.size(); i++) {
        String g = greet(c, f);
        Task t = running.get(g.split(" ")[0]);
        if (t == null) {
          throw new AssertionError(
              "client on h" + (c + 1) + " to " + f + ": unexpected answer " + g);
        }
        hosts.add(t.host());
        seen.add(t.name());
      }
      if (hosts.size() != HOSTS || seen.size() != running.size()) {
        throw new AssertionError("client on h" + (c + 1) + " to " + f + " reached only " + seen);
      }
      s.append("c")
          .append(c + 1)
          .append("->")
          .append(f)
          .append(": ")
          .append(seen.size())
          .append(" tasks; ");
    }
    return s.toString();
  }

  /**
   * Every client asks its host's resolver (the gateway, port 53) over UDP: the service name gives
   * swarm's VIP, which its own host's plan balances; tasks.NAME the running tasks' actual
   * addresses; a name of no service REFUSED; and connections by the resolved name spread over all
   * hosts.
   */
  private String resolution() throws Exception {
    TreeSet<IpAddress> actuals = new TreeSet<>();
    running.values().forEach(t -> actuals.add(t.actual()));
    for (int c = 0; c < HOSTS; c++) {
      org.clusteripam.dns.DnsClient.Reply web =
          resolve(c, "web", org.clusteripam.dns.DnsQuestion.A);
      TreeSet<IpAddress> served = new TreeSet<>();
      loops.get(c).last().orElseThrow().state().vips().forEach(v -> served.add(v.frontend()));
      if (web.rcode() != 0 || !web.addresses().equals(List.of(vip)) || !served.contains(vip)) {
        throw new AssertionError(
            "client on h"
                + (c + 1)
                + ": web -> "
                + web
                + ", expected ["
                + vip
                + "] served by "
                + served);
      }
      org.clusteripam.dns.DnsClient.Reply tasksReply =
          resolve(c, "tasks.web", org.clusteripam.dns.DnsQuestion.A);
      if (!new TreeSet<>(tasksReply.addresses()).equals(actuals)) {
        throw new AssertionError(
            "client on h" + (c + 1) + ": tasks.web -> " + tasksReply + ", expected " + actuals);
      }
      org.clusteripam.dns.DnsClient.Reply other =
          resolve(c, "example.org", org.clusteripam.dns.DnsQuestion.A);
      if (other.rcode() != org.clusteripam.dns.DnsResponder.REFUSED) {
        throw new AssertionError("client on h" + (c + 1) + ": example.org -> " + other);
      }
    }
    return "web -> "
        + vip
        + " and tasks.web -> "
        + actuals.size()
        + " tasks on every host; by name: "
        + spread(
            c -> {
              try {
                return resolve(c, "web", org.clusteripam.dns.DnsQuestion.A).addresses().get(0);
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
  }

  private org.clusteripam.dns.DnsClient.Reply resolve(int client, String name, int type)
      throws Exception {
    return clientNs
        .get(client)
        .call(
            () -> {
              try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
                s.setSoTimeout(10000);
                byte[] q = org.clusteripam.dns.DnsClient.query(4242, name, type);
                s.send(
                    new java.net.DatagramPacket(
                        q, q.length, new InetSocketAddress(gateway.toInetAddress(), 53)));
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[1500], 1500);
                s.receive(p);
                return org.clusteripam.dns.DnsClient.parse(p.getData(), p.getLength());
              }
            });
  }

  private String drain() throws Exception {
    Socket held = clientNs.get(0).call(() -> connect(vip));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(held.getInputStream(), StandardCharsets.UTF_8));
    String greeting = in.readLine();
    Task t = running.get(greeting.split(" ")[0]);
    // Swarm removes the task: the catalog drops it while the container runs out its stop grace
    // period.
    tasks.set(tasks.get().stream().filter(x -> !x.taskId().equals(t.name())).toList());
    running.remove(t.name());
    publishAndPass();
    String ipvs = sh("ip netns exec h1 ipvsadm -Ln");
    String weightLine =
        ipvs.lines().filter(l -> l.contains(t.actual() + ":" + PORT)).findFirst().orElse("");
    if (!weightLine.matches("\\s*->\\s+\\S+\\s+Masq\\s+0\\s+.*")) {
      throw new AssertionError(
          "the removed task should be at weight 0 on h1: [" + weightLine + "]\n" + ipvs);
    }
    TreeSet<String> fresh = new TreeSet<>();
    for (int i = 0; i < 2 * running.size(); i++) {
      fresh.add(greet(0, vip).split(" ")[0]);
    }
    if (fresh.contains(t.name())) {
      throw new AssertionError(
          "new connections still reach the removed task " + t.name() + ": " + fresh);
    }
    held.getOutputStream().write("still-there\n".getBytes(StandardCharsets.UTF_8));
    held.getOutputStream().flush();
    String echo = in.readLine();
    held.close();
    if (echo == null || !echo.equals(t.name() + " echo still-there")) {
      throw new AssertionError("the held connection to " + t.name() + " answered " + echo);
    }
    return "held "
        + t.name()
        + " (weight 0: "
        + weightLine.strip()
        + "), new ones went to "
        + fresh;
  }

  private String greet(int client, IpAddress to) throws Exception {
    long t0 = System.nanoTime();
    try {
      return clientNs
          .get(client)
          .call(
              () -> {
                try (Socket s = connect(to)) {
                  String line =
                      new BufferedReader(
                              new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                          .readLine();
                  return line == null ? "(closed)" : line;
                }
              });
    } catch (IOException e) {
      throw new AssertionError(
          "client on h"
              + (client + 1)
              + " ("
              + clients.get(client)
              + ") to "
              + to
              + ":"
              + PORT
              + " after "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms: "
              + e,
          e);
    }
  }

  private static Socket connect(IpAddress to) throws IOException {
    Socket s = new Socket();
    // Generous: two loaded cores run this whole kernel; a SYN retransmit alone takes 1 s, then 3 s.
    s.setSoTimeout(15000);
    s.connect(new InetSocketAddress(to.toInetAddress(), PORT), 15000);
    return s;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  static String sh(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("`" + command + "` failed: " + out);
    }
    return out;
  }

  /** One check; when it fails, the hosts' routes and IPVS tables go under its line. */
  private void check(String name, GuestReport.Check body) {
    if (!report.check(name, body)) {
      diagnostics();
    }
  }

  private void diagnostics() {
    for (int n = 1; n <= HOSTS; n++) {
      try {
        report.note(
            "h"
                + n
                + " routes:\n"
                + sh(
                    "ip -n h"
                        + n
                        + " route; ip -n h"
                        + n
                        + " route show table local proto "
                        + PROTO)
                + "  ipvs:\n"
                + sh("ip netns exec h" + n + " ipvsadm -Ln")
                + sh("ip netns exec h" + n + " ipvsadm -Lnc"));
      } catch (Exception e) {
        report.note("diagnostics of h" + n + " failed: " + e);
      }
    }
  }
}
