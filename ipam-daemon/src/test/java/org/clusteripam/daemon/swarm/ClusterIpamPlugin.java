package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The {@code cluster-ipam} managed v2 plugin, built by {@code packaging/build-plugin.sh} from the
 * shaded daemon jar and installed on every host of a bed, all sharing one etcd.
 */
public final class ClusterIpamPlugin {
  /** Swarm needs the tag: without it a network is silently left unallocated. */
  public static final String NAME = "cluster-ipam:latest";

  /** The repository root: surefire runs in the module directory, one level below it. */
  static final Path PROJECT =
      Path.of(System.getProperty("clusteripam.root", "..")).toAbsolutePath().normalize();

  static final Path BUILD_SCRIPT = PROJECT.resolve("packaging/build-plugin.sh");
  static final Path JAR = PROJECT.resolve("ipam-daemon/target/ipam-daemon.jar");

  /**
   * {@code --metrics} default of the daemon: loopback of the host's network namespace (network.type
   * host).
   */
  static final String METRICS_URL = "http://127.0.0.1:9587";

  private ClusterIpamPlugin() {}

  /** The build script exists and the shaded jar has the {@code serve} command. */
  public static boolean packageAvailable() {
    if (!System.getProperty("clusteripam.plugin.dir", "").isBlank()) {
      return true;
    }
    if (!Files.isExecutable(BUILD_SCRIPT) || !Files.isRegularFile(JAR)) {
      return false;
    }
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(JAR.toFile())) {
      return jar.getEntry("org/clusteripam/daemon/serve/ServeCommand.class") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The plugin directory (config.json + rootfs): built once per test JVM under /tmp (deleted when
   * the JVM exits) and shared by every bed, or the one named by {@code -Dclusteripam.plugin.dir}
   * (built once with {@code CREATE=0 OUT=DIR build-plugin.sh}, reused).
   */
  static Path build(SwarmTestBed bed) {
    String prebuilt = System.getProperty("clusteripam.plugin.dir", "");
    if (!prebuilt.isBlank()) {
      return Path.of(prebuilt);
    }
    if (!packageAvailable()) {
      throw new IllegalStateException(
          "plugin package missing: need "
              + BUILD_SCRIPT
              + " and "
              + JAR
              + " with the serve command");
    }
    synchronized (ClusterIpamPlugin.class) {
      if (builtOnce != null && Files.isRegularFile(builtOnce.resolve("config.json"))) {
        return builtOnce; // one build per test JVM: every swarm test class installs the same jar
      }
      builtOnce = buildInto(Path.of("/tmp", "cipam-plugin-" + ProcessHandle.current().pid()));
      return builtOnce;
    }
  }

  private static Path builtOnce;

  private static Path buildInto(Path out) {
    deleteTree(out);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out), "delete " + out));
    // CREATE=0: only the directory; each host runs its own `docker plugin create` below.
    CommandResult r =
        Commands.run(
            List.of(BUILD_SCRIPT.toString()),
            Map.of("JAR", JAR.toString(), "OUT", out.toString(), "CREATE", "0"),
            Duration.ofMinutes(5));
    r.orThrow();
    if (!Files.isRegularFile(out.resolve("config.json"))
        || !Files.isDirectory(out.resolve("rootfs"))) {
      throw new IllegalStateException(
          BUILD_SCRIPT + " left no config.json + rootfs in " + out + ": " + r.stdout());
    }
    return out;
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * Creates, configures and enables the plugin on every live host; each host's node id is its name.
   */
  public static void installEverywhere(SwarmTestBed bed, HubEtcd etcd) {
    installEverywhere(bed, etcd, List.of());
  }

  /** Same, with further {@code IPAM_*=value} settings (e.g. a short reconcile interval). */
  public static void installEverywhere(SwarmTestBed bed, HubEtcd etcd, List<String> extraEnv) {
    installEverywhere(bed, etcd, h -> extraEnv);
  }

  /** Same, with settings of each host's own (e.g. its {@code IPAM_ADVERTISE_ADDR}). */
  public static void installEverywhere(
      SwarmTestBed bed,
      HubEtcd etcd,
      java.util.function.Function<DockerHost, List<String>> extraEnv) {
    Path dir = build(bed);
    bed.hosts().parallelStream()
        .filter(DockerHost::isAlive)
        .forEach(h -> install(h, bed, dir, etcd, extraEnv.apply(h)));
  }

  static void install(
      DockerHost h, SwarmTestBed bed, Path dir, HubEtcd etcd, List<String> extraEnv) {
    Path state = bed.baseDir().resolve(h.name()).resolve("ipam");
    try {
      Files.createDirectories(state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.must("plugin", "create", NAME, dir.toString());
    // The settable mounts point at this host's own state directory and dockerd socket
    // (reconciliation).
    List<String> set =
        new java.util.ArrayList<>(
            List.of(
                "plugin",
                "set",
                NAME,
                "IPAM_ETCD=" + etcd.endpoint(),
                "IPAM_NODE_ID=" + h.name(),
                "IPAM_LOG_LEVEL=" + System.getProperty("clusteripam.log.level", "info"),
                "state.source=" + state,
                "docker-socket.source=" + h.socket()));
    set.addAll(extraEnv);
    h.must(set.toArray(String[]::new));
    enable(h, 5);
  }

  /**
   * After a restart of the host's dockerd: the plugin enabled again. dockerd re-enables it while it
   * starts, but gives up (and leaves it disabled) when the JVM overruns its ~12 s dial, which a
   * machine under heavy load causes; then it is enabled here, as an operator would.
   */
  static void enabledAfterRestart(DockerHost h) {
    String enabled = h.docker("plugin", "inspect", "-f", "{{.Enabled}}", NAME).stdout().strip();
    if (!enabled.equals("true")) {
      System.out.println(
          h.name() + ": dockerd restarted with the plugin disabled (" + enabled + "), enabling it");
      enable(h, 6);
    }
  }

  /**
   * {@code docker plugin enable}, again (up to three attempts) when dockerd gave up waiting for the
   * socket: it dials for about 12 s, which a JVM starting on a machine under heavy CPU load can
   * overrun. A failed attempt leaves the plugin disabled, so the next one starts it afresh.
   */
  static void enable(DockerHost h) {
    enable(h, 3);
  }

  /**
   * The same, with up to {@code attempts} attempts (a restart while the machine is busiest needs
   * more).
   */
  static void enable(DockerHost h, int attempts) {
    for (int attempt = 1; ; attempt++) {
      CommandResult r = h.docker(Duration.ofSeconds(90), "plugin", "enable", NAME);
      if (r.ok()) {
        return;
      }
      if (attempt >= attempts || !r.stderr().contains("cluster-ipam.sock: connect")) {
        r.orThrow();
      }
      System.out.println(
          h.name()
              + ": plugin socket not up in time (attempt "
              + attempt
              + "), enabling again: "
              + r.stderr().strip());
    }
  }

  /**
   * The pid of the plugin's JVM on this host: the daemon jar's process in the host's network
   * namespace.
   */
  public static OptionalLong pid(DockerHost h) {
    return pids(h).stream().mapToLong(Long::longValue).findFirst();
  }

  /**
   * Every plugin JVM in the host's network namespace: one on a sound host, more when a daemon of a
   * crashed dockerd outlived it.
   */
  public static List<Long> pids(DockerHost h) {
    String hostNs = netNs(Path.of("/run/netns", h.namespace()));
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> cmdline(p).contains("/opt/cluster-ipam/ipam-daemon.jar"))
          .filter(p -> hostNs.equals(netNs(p.resolve("ns/net"))))
          .map(p -> Long.parseLong(p.getFileName().toString()))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL of the plugin's JVM by pid (part of a host crash); waits until it is gone. */
  public static void kill(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            p -> {
              p.destroyForcibly();
              p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            });
  }

  /**
   * The plugin's Prometheus text, read inside the host's namespace (metrics listen on its
   * loopback).
   */
  public static String metrics(DockerHost h) {
    return Commands.run(
            Duration.ofSeconds(10),
            "ip",
            "netns",
            "exec",
            h.namespace(),
            "busybox",
            "wget",
            "-q",
            "-O",
            "-",
            METRICS_URL + "/metrics")
        .orThrow();
  }

  /**
   * Sum of {@code cluster_ipam_request_seconds_count} for one endpoint (all outcomes) in Prometheus
   * text.
   */
  public static long requestCount(String prometheusText, String endpoint) {
    double sum = 0;
    for (String line : prometheusText.lines().toList()) {
      if (line.startsWith("cluster_ipam_request_seconds_count{")
          && line.contains("endpoint=\"" + endpoint + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  private static String cmdline(Path proc) {
    try {
      return new String(
          Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  private static String netNs(Path p) {
    try {
      return String.valueOf(Files.getAttribute(p, "unix:ino"))
          + ":"
          + Files.getAttribute(p, "unix:dev");
    } catch (IOException | RuntimeException e) {
      return "?" + p;
    }
  }
}
