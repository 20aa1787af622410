package org.clusteripam.daemon.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private dockerd for tests, inside a network namespace the fixture creates: its bridges and
 * addresses never touch the root namespace. /run/docker and /etc/docker are private bind mounts, so
 * a legacy plugin socket for this dockerd is {@link #pluginsDir()} on the host. Everything it
 * starts is stopped by pid in {@link #close()}. Missing dockerd fails, never skips. The {@link
 * Engine} (default: {@link Engine#byDefault()}) chooses dockerd, its containerd and the CLI.
 */
public final class DockerdProcess implements AutoCloseable {
  private final Path base;
  private final String netns;
  private final Engine engine;
  private Process dockerd;

  private DockerdProcess(Path base, String netns, Engine engine) {
    this.base = base;
    this.netns = netns;
    this.engine = engine;
  }

  /**
   * Creates the namespace, starts the default engine's dockerd and imports busybox as {@code bb:1}.
   */
  public static DockerdProcess start() throws Exception {
    return start(Engine.byDefault());
  }

  /** Same, on the given engine. */
  public static DockerdProcess start(Engine engine) throws Exception {
    for (String tool :
        List.of("/usr/bin/busybox", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/sbin/ip")) {
      if (!Files.isExecutable(Path.of(tool))) {
        throw new AssertionError(
            tool
                + " is missing: run scripts/install-test-prereqs.sh (busybox-static, util-linux, iproute2)");
      }
    }
    String id = Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
    // short: sockets have a 108-byte limit
    Path base = Files.createDirectories(Path.of("/tmp/cd-" + id));
    DockerdProcess d = new DockerdProcess(base, "cipam-" + id, engine);
    engine.announce("dockerd in " + d.netns);
    try {
      run(List.of("ip", "netns", "add", d.netns), Duration.ofSeconds(10));
      run(List.of("ip", "-n", d.netns, "link", "set", "lo", "up"), Duration.ofSeconds(10));
      d.startDockerd();
      d.importBusybox();
      return d;
    } catch (Throwable t) {
      d.close();
      throw t;
    }
  }

  public Path base() {
    return base;
  }

  /** Host path of this dockerd's /run/docker/plugins. */
  public Path pluginsDir() {
    return base.resolve("run/plugins");
  }

  public Path socket() {
    return base.resolve("d.sock");
  }

  public String dockerHost() {
    return "unix://" + socket();
  }

  public String netns() {
    return netns;
  }

  public Engine engine() {
    return engine;
  }

  public long pid() {
    return dockerd.pid();
  }

  /**
   * Starts dockerd; once more if it exits during startup (under heavy CPU load dockerd gives up on
   * its containerd child after a few seconds; the second start finds it quicker).
   */
  /** Starts dockerd again after {@link #stopDockerd} (same state; containers come back stopped). */
  public void startDockerd() throws Exception {
    try {
      startDockerdOnce();
    } catch (DockerdExited e) {
      Files.writeString(
          base.resolve("dockerd.log"),
          "\n--- retrying after: " + e.getMessage() + "\n",
          java.nio.file.StandardOpenOption.APPEND);
      dockerd = null;
      startDockerdOnce();
    }
  }

  private static final class DockerdExited extends AssertionError {
    private static final long serialVersionUID = 1L;

    DockerdExited(String m) {
      super(m);
    }
  }

  private void startDockerdOnce() throws Exception {
    for (String d : List.of("data", "exec", "run/plugins", "etc", "cg")) {
      Files.createDirectories(base.resolve(d));
    }
    Files.deleteIfExists(socket());
    String b = base.toString();
    String inner =
        String.join(
            "\n",
            "set -e",
            "hostname " + netns,
            "mount --rbind /sys/fs/cgroup " + b + "/cg",
            "mount -t sysfs sysfs-" + netns + " /sys",
            "mount --move " + b + "/cg /sys/fs/cgroup",
            "mkdir -p /run/docker /etc/docker",
            "mount --bind " + b + "/run /run/docker",
            "mount --bind " + b + "/etc /etc/docker",
            "exec "
                + engine.dockerd()
                + " --data-root "
                + b
                + "/data --exec-root "
                + b
                + "/exec -H unix://"
                + b
                + "/d.sock --pidfile "
                + b
                + "/d.pid"
                + " --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs");
    ProcessBuilder pb =
        new ProcessBuilder(
            "nsenter",
            "--net=/run/netns/" + netns,
            "--",
            "unshare",
            "--mount",
            "--uts",
            "--propagation",
            "slave",
            "--",
            "sh",
            "-c",
            inner);
    pb.environment().put("DOCKER_SERVICE_PREFER_OFFLINE_IMAGE", "1");
    engine.applyTo(pb.environment());
    pb.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("dockerd.log").toFile()));
    dockerd = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!dockerd.isAlive()) {
        throw new DockerdExited("dockerd exited with " + dockerd.exitValue() + ": " + tail());
      }
      if (Files.exists(socket()) && tryDocker("version").exit == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("dockerd did not answer within 30 s: " + tail());
  }

  private String tail() {
    try {
      List<String> l = Files.readAllLines(base.resolve("dockerd.log"));
      return String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private void importBusybox() throws Exception {
    Path img = Files.createDirectories(base.resolve("img/bin"));
    Files.copy(Path.of("/usr/bin/busybox"), img.resolve("busybox"));
    for (String l : List.of("sh", "sleep", "ip", "cat", "ls", "true")) {
      Files.createSymbolicLink(img.resolve(l), Path.of("busybox"));
    }
    run(
        List.of(
            "sh",
            "-c",
            "cd "
                + base.resolve("img")
                + " && tar -c . | "
                + engine.cli()
                + " -H "
                + dockerHost()
                + " import - bb:1"),
        Duration.ofSeconds(60));
  }

  /** Stops dockerd (SIGTERM, then SIGKILL after 15 s) and waits for it; the namespace stays. */
  public void stopDockerd() throws InterruptedException {
    if (dockerd == null) {
      return;
    }
    dockerd.destroy();
    // A clean stop takes ~16 s when our plugin is down (dockerd retries each release for a while).
    if (!dockerd.waitFor(60, TimeUnit.SECONDS)) {
      dockerd.destroyForcibly();
      dockerd.waitFor(10, TimeUnit.SECONDS);
    }
    dockerd = null;
  }

  /** Restarts dockerd in the same namespace with the same state (containers come back stopped). */
  public void restartDockerd() throws Exception {
    stopDockerd();
    startDockerd();
  }

  /** Runs the docker CLI against this dockerd; fails with its output unless it exits 0. */
  public String docker(String... args) throws Exception {
    Result r = tryDocker(args);
    if (r.exit != 0) {
      throw new AssertionError(
          "docker " + String.join(" ", args) + " exited " + r.exit + ": " + r.output);
    }
    return r.output.strip();
  }

  /** Runs the docker CLI and returns exit code and combined output. */
  public Result tryDocker(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(engine.cli().toString(), "-H", dockerHost()));
    cmd.addAll(List.of(args));
    return run(cmd, Duration.ofSeconds(60));
  }

  public record Result(int exit, String output) {}

  static Result run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out;
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("timed out after " + timeout + ": " + cmd);
      }
      out = p.getInputStream().readAllBytes();
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /**
   * Removes containers and networks, stops dockerd, kills whatever is left in the namespace,
   * deletes it.
   */
  @Override
  public void close() throws Exception {
    try {
      if (dockerd != null && dockerd.isAlive()) {
        Result ids = tryDocker("ps", "-aq");
        if (ids.exit == 0 && !ids.output.isBlank()) {
          List<String> rm = new ArrayList<>(List.of("rm", "-f"));
          rm.addAll(List.of(ids.output.strip().split("\\s+")));
          tryDocker(rm.toArray(String[]::new));
        }
      }
    } finally {
      stopDockerd();
      Result pids = run(List.of("ip", "netns", "pids", netns), Duration.ofSeconds(10));
      if (pids.exit == 0) {
        for (String pid : pids.output.strip().split("\\s+")) {
          if (!pid.isEmpty()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
      }
      run(List.of("ip", "netns", "delete", netns), Duration.ofSeconds(10));
      run(List.of("rm", "-rf", base.toString()), Duration.ofSeconds(60));
    }
  }
}
