package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.clusteripam.daemon.docker.Engine;

/**
 * One Docker host of the bed: a dockerd in its own network namespace, started the way this machine
 * needs ({@code nsenter} into the namespace, {@code unshare} a mount and UTS namespace, remount
 * sysfs keeping the cgroup mounts, private {@code /run/docker} and {@code /etc/docker}), with its
 * own roots and socket. Its {@link Engine} chooses dockerd (with that release's containerd first in
 * PATH) and the CLI.
 */
public final class DockerHost {
  /** The system engine's binaries (Debian 12's 20.10); a host runs its own {@link #engine()}'s. */
  static final Path DOCKER_CLI = Path.of("/usr/bin/docker");

  static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(40);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final String name;
  private final String namespace;
  private final String address;
  private final Path dir;
  private final String cgroupParent;
  private final Path cliConfig;
  private final Engine engine;
  private Process process;

  DockerHost(
      String name,
      String namespace,
      String address,
      Path dir,
      String cgroupParent,
      Path cliConfig) {
    this(name, namespace, address, dir, cgroupParent, cliConfig, Engine.byDefault());
  }

  DockerHost(
      String name,
      String namespace,
      String address,
      Path dir,
      String cgroupParent,
      Path cliConfig,
      Engine engine) {
    this.engine = engine;
    this.name = name;
    this.namespace = namespace;
    this.address = address;
    this.dir = dir;
    this.cgroupParent = cgroupParent;
    this.cliConfig = cliConfig;
  }

  /** Host name as swarm sees it ({@code h1}, {@code h2}, ...). */
  public String name() {
    return name;
  }

  /** This host's address on the bed network (swarm advertise address). */
  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  /** The engine this host's dockerd and CLI come from. */
  public Engine engine() {
    return engine;
  }

  /** The CLI configuration directory ({@code DOCKER_CONFIG}) every command of this host uses. */
  public Path cliConfig() {
    return cliConfig;
  }

  public Path socket() {
    return dir.resolve("s");
  }

  String cgroupParent() {
    return cgroupParent;
  }

  /**
   * Starts dockerd (also after {@link #kill()}: same data, new process) and waits until it answers.
   */
  void start() {
    if (isAlive()) {
      throw new IllegalStateException(name + ": dockerd is already running as pid " + pid());
    }
    for (String sub : List.of("cg", "run", "etc", "d", "x")) {
      createDirectories(dir.resolve(sub));
    }
    if (socket().toString().length() > 100) {
      throw new IllegalStateException(
          "socket path " + socket() + " exceeds the 108-byte Unix socket limit");
    }
    String script =
        String.join(
            "\n",
            "set -e",
            "hostname " + name,
            // A fresh sysfs hides the cgroup mounts; carry them over it.
            "mount --rbind /sys/fs/cgroup " + dir.resolve("cg"),
            "mount -t sysfs sysfs-" + name + " /sys",
            "mount --move " + dir.resolve("cg") + " /sys/fs/cgroup",
            // v2 plugin sockets live at the hard-coded /run/docker/plugins/<id>/; the engine id in
            // /etc/docker.
            "mkdir -p /run/docker /etc/docker",
            "mount --bind " + dir.resolve("run") + " /run/docker",
            "mount --bind " + dir.resolve("etc") + " /etc/docker",
            "exec "
                + engine.dockerd()
                + " --data-root "
                + dir.resolve("d")
                + " --exec-root "
                + dir.resolve("x")
                + " -H unix://"
                + socket()
                + " --pidfile "
                + dir.resolve("pid")
                + " --cgroup-parent /"
                + cgroupParent
                + " --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs");
    ProcessBuilder pb =
        new ProcessBuilder(
                "nsenter",
                "--net=/run/netns/" + namespace,
                "--",
                "unshare",
                "--mount",
                "--uts",
                "--propagation",
                "slave",
                "--",
                "sh",
                "-c",
                script)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()));
    // Tasks would otherwise wait ~60 s on a pull of bb:1 that cannot succeed.
    pb.environment().put("DOCKER_SERVICE_PREFER_OFFLINE_IMAGE", "1");
    engine.applyTo(pb.environment());
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": cannot start dockerd", e);
    }
    awaitReady();
  }

  private void awaitReady() {
    long end = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + ": dockerd exited with " + process.exitValue() + "; see " + log());
      }
      if (docker(Duration.ofSeconds(5), "version", "--format", "{{.Server.Version}}").ok()) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(
        name + ": dockerd did not answer within " + READY_TIMEOUT + "; see " + log());
  }

  /** Runs the docker CLI against this host with the default timeout. */
  public CommandResult docker(String... args) {
    return docker(DEFAULT_TIMEOUT, args);
  }

  /**
   * Runs the docker CLI against this host; the CLI is killed by pid if it overruns {@code timeout}.
   */
  public CommandResult docker(Duration timeout, String... args) {
    List<String> cmd =
        new ArrayList<>(List.of(engine.cli().toString(), "-H", "unix://" + socket()));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, Map.of("DOCKER_CONFIG", cliConfig.toString()), timeout);
  }

  /** Runs the docker CLI, which must succeed; returns trimmed stdout. */
  public String must(String... args) {
    return docker(args).orThrow();
  }

  /** dockerd's pid (the nsenter/unshare/sh chain execs into it), or empty if not running. */
  public OptionalLong pid() {
    return process != null && process.isAlive()
        ? OptionalLong.of(process.pid())
        : OptionalLong.empty();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Resident memory of dockerd and its containerd, in KiB (shims and containers not included). */
  public long daemonRssKib() {
    Optional<ProcessHandle> h = pid().stream().boxed().findFirst().flatMap(ProcessHandle::of);
    if (h.isEmpty()) {
      return 0;
    }
    long sum = ProcFs.rssKib(h.get().pid());
    for (ProcessHandle d : (Iterable<ProcessHandle>) h.get().descendants()::iterator) {
      sum += ProcFs.rssKib(d.pid());
    }
    return sum;
  }

  /** SIGKILL by pid, as a crash; containers and plugins are left behind as after a real crash. */
  public void kill() {
    if (isAlive()) {
      process.destroyForcibly();
      waitExit(STOP_TIMEOUT);
    }
  }

  /** SIGTERM by pid, then SIGKILL if it has not exited within 20 s. */
  void terminate() {
    if (isAlive()) {
      process.destroy();
      if (!waitExit(STOP_TIMEOUT)) {
        kill();
      }
    }
  }

  Path log() {
    return dir.resolve("dockerd.log");
  }

  private boolean waitExit(Duration d) {
    try {
      return process.waitFor(d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void createDirectories(Path p) {
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + address;
  }
}
