package org.clusteripam.daemon.swarm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One etcd for the whole bed, in the hub namespace on the bridge address, so every host's plugin
 * reaches it at {@link #endpoint()}. Started by pid and stopped by pid (SIGTERM, then SIGKILL).
 */
public final class HubEtcd implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/etcd");
  static final int CLIENT_PORT = 2379;

  private final Path dir;
  private final Process process;

  private HubEtcd(Path dir, Process process) {
    this.dir = dir;
    this.process = process;
  }

  /** Starts etcd in the bed's hub namespace; the bed stops it during its teardown. */
  public static HubEtcd start(SwarmTestBed bed) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: install etcd-server (scripts/install-test-prereqs.sh)");
    }
    Path dir = bed.baseDir().resolve("etcd");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String client = "http://" + HubNetwork.HUB_ADDRESS + ":" + CLIENT_PORT;
    String peer = "http://127.0.0.1:2380"; // peers stay on the hub's own loopback
    ProcessBuilder pb =
        new ProcessBuilder(
                "nsenter",
                "--net=/run/netns/" + bed.hubNamespace(),
                "--",
                BINARY.toString(),
                "--name",
                "bed",
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "bed=" + peer,
                "--log-level",
                "warn")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()));
    HubEtcd etcd;
    try {
      etcd = new HubEtcd(dir, pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd", e);
    }
    bed.closeWithBed(etcd);
    Waits.until(
        "etcd healthy at " + client,
        Duration.ofSeconds(20),
        () -> {
          if (!etcd.process.isAlive()) {
            throw new IllegalStateException(
                "etcd exited with "
                    + etcd.process.exitValue()
                    + "; see "
                    + dir.resolve("etcd.log"));
          }
          // Probe from inside the hub namespace: the root namespace has no route to the bed.
          CommandResult r =
              Commands.run(
                  Duration.ofSeconds(3),
                  "ip",
                  "netns",
                  "exec",
                  bed.hubNamespace(),
                  "busybox",
                  "wget",
                  "-q",
                  "-O",
                  "-",
                  client + "/health");
          return r.ok() && r.stdout().contains("\"health\":\"true\"");
        });
    return etcd;
  }

  public String endpoint() {
    return "http://" + HubNetwork.HUB_ADDRESS + ":" + CLIENT_PORT;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "etcd@" + endpoint() + " (pid " + process.pid() + ")";
  }
}
