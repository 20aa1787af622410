package org.clusteripam.daemon.cni;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clusteripam.daemon.serve.DaemonProcess;

/**
 * A daemon serving CNI on its own socket and store, a "host" network namespace in which the plugins
 * run (so bridges and routes stay out of the machine's own namespace), and container namespaces;
 * everything tagged per run and removed by {@link #close()}.
 */
final class CniBed implements AutoCloseable {
  final String tag = Long.toHexString(System.nanoTime() & 0xfffffL);
  final Path dir;
  final Path cniSocket;
  final String hostNs = "cih" + tag;
  int metricsPort;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> daemonArgs;
  private DaemonProcess daemon;
  private int daemons;

  CniBed(Path dir, String... extraArgs) throws Exception {
    this(dir, Map.of(), extraArgs);
  }

  /**
   * @param options serve options that replace the bed's own ({@code --node-id}, {@code --socket},
   *     {@code --docker-host}, ...) or come in addition (a store: {@code --etcd})
   */
  CniBed(Path dir, Map<String, String> options, String... extraArgs) throws Exception {
    this.dir = dir;
    this.cniSocket = dir.resolve("c.sock");
    Map<String, String> o = new LinkedHashMap<>();
    o.put("--socket", dir.resolve("p.sock").toString());
    o.put("--cni-socket", cniSocket.toString());
    o.put("--state-dir", dir.resolve("state").toString());
    o.put("--node-id", "h1");
    o.put("--docker-host", "unix://" + dir.resolve("no-docker.sock"));
    o.put("--metrics", "127.0.0.1:" + (metricsPort = freePort()));
    o.put("--supernet", "10.213.0.0/16");
    o.put("--supernet-v6", "fd13:213::/48");
    o.putAll(options);
    List<String> a = new ArrayList<>();
    o.forEach((k, v) -> a.addAll(List.of(k, v)));
    a.addAll(List.of(extraArgs));
    this.daemonArgs = a;
    Exec.ok("ip netns add " + hostNs);
    namespaces.add(hostNs);
    try {
      Exec.ok("ip -n " + hostNs + " link set lo up");
      try {
        startDaemon();
      } catch (AssertionError e) {
        if (!String.valueOf(e.getMessage()).contains("cannot open the etcd")) {
          throw e;
        }
        // A loaded machine: etcd answered the first read after the store's timeout. Once more.
        System.out.println(
            "[cni-bed] daemon start retried: " + e.getMessage().lines().findFirst().orElse(""));
        startDaemon();
      }
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  void startDaemon() throws Exception {
    daemon =
        DaemonProcess.start(
            dir.resolve("daemon-" + (daemons++) + ".log"), daemonArgs.toArray(String[]::new));
    daemon.awaitSocket(cniSocket, Duration.ofSeconds(30));
  }

  void stopDaemon() throws Exception {
    daemon.stop(Duration.ofSeconds(15));
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** GET {@code path} from the daemon's metrics listener (/metrics, /v1/show, ...). */
  String get(String path) throws Exception {
    var c = java.net.http.HttpClient.newHttpClient();
    var req =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + path))
            .build();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      try {
        var r = c.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 || System.nanoTime() > deadline) {
          return r.body();
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(100); // the metrics endpoints start a moment after the sockets
    }
  }

  /** The CNI attachment lines of {@code show} for one network. */
  long attachments(String network) throws Exception {
    return get("/v1/show").lines().filter(l -> l.startsWith("  " + network + " ")).count();
  }

  DaemonProcess daemon() {
    return daemon;
  }

  /** A new container namespace; its path. */
  String netns(String name) throws Exception {
    String ns = "cic" + tag + name;
    Exec.ok("ip netns add " + ns);
    namespaces.add(ns);
    return "/run/netns/" + ns;
  }

  void deleteNetns(String path) throws Exception {
    String ns = Path.of(path).getFileName().toString();
    Exec.ok("ip netns del " + ns);
    namespaces.remove(ns);
  }

  /** What {@code cmd} prints inside the namespace at {@code path}. */
  static String inside(String path, String cmd) throws Exception {
    return Exec.ok("ip netns exec " + Path.of(path).getFileName() + " " + cmd);
  }

  /**
   * Runs {@code plugin} as a runtime does, inside the host namespace: CNI_* environment, stdin the
   * network config. {@code netns} may be null (DEL without a netns, STATUS, GC).
   */
  Exec invoke(
      Path plugin, String command, String container, String netns, String cniArgs, String conf)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    env.put("CNI_PATH", plugin.getParent().toString());
    env.put("CLUSTER_IPAM_CNI_SOCKET", cniSocket.toString());
    if (container != null) {
      env.put("CNI_CONTAINERID", container);
      env.put("CNI_IFNAME", "eth0");
    }
    if (netns != null) {
      env.put("CNI_NETNS", netns);
    }
    if (cniArgs != null) {
      env.put("CNI_ARGS", cniArgs);
    }
    return Exec.run(List.of("ip", "netns", "exec", hostNs, plugin.toString()), env, conf, 60);
  }

  @Override
  public void close() throws Exception {
    try {
      if (daemon != null) {
        daemon.close();
      }
    } finally {
      for (String ns : List.copyOf(namespaces)) {
        Exec.sh("ip netns del " + ns);
      }
    }
  }
}
