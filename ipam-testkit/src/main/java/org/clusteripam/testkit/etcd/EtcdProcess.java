package org.clusteripam.testkit.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clusteripam.testkit.TempDirs;

/**
 * A real etcd ({@code /usr/bin/etcd}) on random loopback ports with a temporary data directory: a
 * single-member cluster, or one member of an {@link EtcdCluster}. Stop it in {@code @AfterAll} or
 * {@code finally}; it is stopped by pid (SIGTERM, then SIGKILL).
 */
public final class EtcdProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/etcd");

  private final Path dir;
  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final String scheme;
  private final List<String> extraArgs;
  private final boolean ownsDir;
  private String initialCluster;
  private Process process;

  EtcdProcess(
      Path dir,
      String name,
      int clientPort,
      int peerPort,
      String scheme,
      List<String> extraArgs,
      boolean ownsDir) {
    this.dir = dir;
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.scheme = scheme;
    this.extraArgs = List.copyOf(extraArgs);
    this.ownsDir = ownsDir;
    this.initialCluster = name + "=" + peerUrl();
  }

  /** Starts a fresh etcd and waits until it reports healthy. Fails if the binary is missing. */
  public static EtcdProcess start() {
    return start("http", List.of());
  }

  /**
   * Starts etcd with extra flags; with {@code scheme} "https" the client URL is TLS (pass the
   * {@code --cert-file}/{@code --key-file} flags) and health is checked by a TCP connect only.
   */
  public static EtcdProcess start(String scheme, List<String> extraArgs) {
    requireBinary();
    EtcdProcess p =
        new EtcdProcess(
            TempDirs.create("etcd"), "default", freePort(), freePort(), scheme, extraArgs, true);
    try {
      p.launch();
      p.awaitHealthy();
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  static void requireBinary() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          BINARY + " is missing: install Debian's etcd-server (scripts/install-test-prereqs.sh)");
    }
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** The members of the cluster this one starts in: {@code name=peerUrl,...}. */
  void initialCluster(String members) {
    this.initialCluster = members;
  }

  public String endpoint() {
    return scheme + "://127.0.0.1:" + clientPort;
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Starts the process without waiting: members of a new cluster are healthy only once a quorum
   * runs.
   */
  void launch() {
    String peer = peerUrl();
    ProcessBuilder pb =
        new ProcessBuilder(
            BINARY.toString(),
            "--name",
            name,
            "--data-dir",
            dir.resolve(name + ".data").toString(),
            "--listen-client-urls",
            endpoint(),
            "--advertise-client-urls",
            endpoint(),
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            initialCluster,
            "--log-level",
            "warn");
    pb.command().addAll(extraArgs);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path log() {
    return dir.resolve(name + ".log");
  }

  void awaitHealthy() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd " + name + " exited with " + process.exitValue() + "; see " + log());
      }
      if (scheme.equals("https")) {
        try (java.net.Socket sock =
            new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), clientPort)) {
          if (sock.isConnected()) {
            return;
          }
        } catch (IOException notYet) {
          sleep(50);
          continue;
        }
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(endpoint() + "/health").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200
            && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // retry
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "etcd " + name + " did not become healthy within 30 s; see " + log());
  }

  /** SIGKILL, as a crash. */
  public void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      waitExit(10);
    }
  }

  /** SIGTERM, then SIGKILL after 5 s. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!waitExit(5)) {
        kill();
      }
    }
  }

  /** Starts again on the same data directory and ports (after {@link #kill} or {@link #stop}). */
  public void restart() {
    stop();
    launch();
    awaitHealthy();
  }

  private boolean waitExit(int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      if (ownsDir) {
        TempDirs.delete(dir);
      }
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
