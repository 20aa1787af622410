package org.clusteripam.daemon.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clusteripam.daemon.serve.DaemonProcess;

/**
 * A private dockerd ({@link DockerdProcess}) with the daemon as its legacy plugin on the embedded
 * store, tracing every call ({@code --trace-calls}), for tests of what an engine sends and what we
 * answer. Closing stops the daemon and dockerd by pid.
 */
final class IpamOnDockerd implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CALL =
      Pattern.compile(
          "event=call method=(\\S+) node=\\S+ request=(\\{.*?\\}) (response=(\\{.*\\})|error=\"(.*)\" error_type=\\S+) ms=[0-9.]+");

  final DockerdProcess docker;
  private final int metricsPort;
  private final Path socket;
  private DaemonProcess daemon;

  private IpamOnDockerd(DockerdProcess docker, int metricsPort) {
    this.docker = docker;
    this.metricsPort = metricsPort;
    this.socket = docker.pluginsDir().resolve("cluster-ipam.sock");
  }

  /** What {@link #start(Engine)} gives the daemon: reconciliation out of the way, calls traced. */
  static final List<String> TRACING = List.of("--reconcile-interval", "PT1H", "--trace-calls");

  static IpamOnDockerd start(Engine engine) throws Exception {
    return start(engine, TRACING);
  }

  /** dockerd on {@code engine}, then the daemon with {@code daemonArgs} ({@link #startDaemon}). */
  static IpamOnDockerd start(Engine engine, List<String> daemonArgs) throws Exception {
    DockerdProcess d = DockerdProcess.start(engine);
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      IpamOnDockerd h = new IpamOnDockerd(d, port);
      h.startDaemon(daemonArgs);
      return h;
    } catch (Throwable t) {
      d.close();
      throw t;
    }
  }

  /**
   * Starts the daemon (again, after it stopped) as node h1 on this dockerd's socket directory,
   * embedded store and metrics port, with {@code args} after those; returns once the plugin socket
   * and the metrics endpoint answer.
   */
  void startDaemon(List<String> args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--socket",
                socket.toString(),
                "--state-dir",
                docker.base().resolve("ipam-state").toString(),
                "--node-id",
                "h1",
                "--docker-host",
                docker.dockerHost(),
                "--metrics",
                "127.0.0.1:" + metricsPort));
    all.addAll(args);
    daemon = DaemonProcess.start(docker.base().resolve("daemon.log"), all.toArray(String[]::new));
    daemon.awaitSocket(socket, Duration.ofSeconds(60));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) { // the metrics endpoint comes up just after the plugin socket
      try {
        get("/metrics");
        return;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  /** The daemon last started. */
  DaemonProcess daemon() {
    return daemon;
  }

  String docker(String... args) throws Exception {
    return docker.docker(args);
  }

  DockerdProcess.Result tryDocker(String... args) throws Exception {
    return docker.tryDocker(args);
  }

  /** A container's address on a network ({@code IPAddress} or {@code GlobalIPv6Address}). */
  String ip(String container, String network, boolean v6) throws Exception {
    return docker(
        "inspect",
        "-f",
        "{{(index .NetworkSettings.Networks \""
            + network
            + "\")."
            + (v6 ? "GlobalIPv6Address" : "IPAddress")
            + "}}",
        container);
  }

  String subnets(String network) throws Exception {
    return docker("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", network)
        .strip();
  }

  String get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private List<JsonNode> poolNodes() throws Exception {
    JsonNode show = JSON.readTree(get("/v1/show?json"));
    List<JsonNode> pools = new ArrayList<>();
    show.path("supernets").forEach(s -> s.path("pools").forEach(pools::add));
    show.path("outside").forEach(pools::add);
    return pools;
  }

  /**
   * Every stored pool → its stored addresses with their kind ({@code endpoint}, {@code gateway},
   * ...).
   */
  Map<String, Map<String, String>> stored() throws Exception {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (JsonNode p : poolNodes()) {
      Map<String, String> addrs = new TreeMap<>();
      for (JsonNode b : p.path("blocks")) {
        b.path("addresses")
            .forEach(a -> addrs.put(a.path("address").asText(), a.path("kind").asText()));
      }
      out.put(p.path("pool").asText(), addrs);
    }
    return out;
  }

  /** The reconciliation report: leaked, missing and conflicting must all be empty. */
  JsonNode check() throws Exception {
    return JSON.readTree(get("/v1/check"));
  }

  /** One traced plugin call: the method, the request and either the response or the error. */
  record Call(String method, JsonNode request, JsonNode response, String error) {
    boolean ok() {
      return error == null;
    }
  }

  /** The calls traced so far, in order. */
  List<Call> calls() throws Exception {
    List<Call> out = new ArrayList<>();
    for (String line : Files.readAllLines(docker.base().resolve("daemon.log"))) {
      Matcher m = CALL.matcher(line);
      if (m.find()) {
        out.add(
            new Call(
                m.group(1),
                JSON.readTree(m.group(2)),
                m.group(4) == null ? null : JSON.readTree(m.group(4)),
                m.group(5)));
      }
    }
    return out;
  }

  /**
   * {@code docker compose -f FILE -p PROJECT ARGS} with the engine's Compose v2 as a CLI plugin of
   * a private {@code DOCKER_CONFIG}; fails with the output unless it exits 0.
   */
  String compose(Path file, String project, String... args) throws Exception {
    Path config = docker.base().resolve("cli");
    if (!Files.exists(config.resolve("cli-plugins"))) {
      Files.createDirectories(config);
      Files.createSymbolicLink(config.resolve("cli-plugins"), docker.engine().cliPlugins());
    }
    List<String> cmd =
        new ArrayList<>(
            List.of(
                docker.engine().cli().toString(),
                "-H",
                docker.dockerHost(),
                "compose",
                "-f",
                file.toString(),
                "-p",
                project));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DOCKER_CONFIG", config.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
    }
    return out;
  }

  /** Runs {@code ip ARGS} inside dockerd's network namespace (the test's own). */
  void ipInNetns(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "-n", docker.netns()));
    cmd.addAll(List.of(args));
    DockerdProcess.Result r = DockerdProcess.run(cmd, Duration.ofSeconds(10));
    if (r.exit() != 0) {
      throw new AssertionError(cmd + ": " + r.output());
    }
  }

  @Override
  public void close() throws Exception {
    try {
      docker.close(); // first, while the plugin still answers the releases of its containers
    } finally {
      if (daemon != null) {
        daemon.close();
      }
    }
  }
}
