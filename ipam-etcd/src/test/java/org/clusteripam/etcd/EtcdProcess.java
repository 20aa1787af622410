package org.clusteripam.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd ({@code /usr/bin/etcd}) on random loopback ports with a temporary data directory.
 * Stop it in {@code @AfterAll} or {@code finally}; it is stopped by pid (SIGTERM, then SIGKILL).
 */
public final class EtcdProcess implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/etcd");

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final String scheme;
  private final java.util.List<String> extraArgs;
  private Process process;

  private EtcdProcess(Path dir, int clientPort, int peerPort, String scheme, java.util.List<String> extraArgs) {
    this.dir = dir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.scheme = scheme;
    this.extraArgs = java.util.List.copyOf(extraArgs);
  }

  /** Starts a fresh etcd and waits until it reports healthy. Fails if the binary is missing. */
  public static EtcdProcess start() {
    return start("http", java.util.List.of());
  }

  /**
   * Starts etcd with extra flags; with {@code scheme} "https" the client URL is TLS (pass the
   * {@code --cert-file}/{@code --key-file} flags) and health is checked by a TCP connect only.
   */
  public static EtcdProcess start(String scheme, java.util.List<String> extraArgs) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: install Debian's etcd-server (scripts/install-test-prereqs.sh)");
    }
    EtcdProcess p = new EtcdProcess(TempDirs.create("etcd"), freePort(), freePort(), scheme, extraArgs);
    try {
      p.launch();
    } catch (RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  public String endpoint() {
    return scheme + "://127.0.0.1:" + clientPort;
  }

  public long pid() {
    return process.pid();
  }

  private void launch() {
    String peer = "http://127.0.0.1:" + peerPort;
    ProcessBuilder pb = new ProcessBuilder(BINARY.toString(),
        "--name", "default",
        "--data-dir", dir.resolve("data").toString(),
        "--listen-client-urls", endpoint(),
        "--advertise-client-urls", endpoint(),
        "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "default=" + peer,
        "--log-level", "warn");
    pb.command().addAll(extraArgs);
    pb.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitHealthy();
  }

  private void awaitHealthy() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + dir.resolve("etcd.log"));
      }
      if (scheme.equals("https")) {
        try (java.net.Socket sock = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), clientPort)) {
          if (sock.isConnected()) {
            return;
          }
        } catch (IOException notYet) {
          sleep(50);
          continue;
        }
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/health").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200
            && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // retry
      }
      sleep(50);
    }
    throw new IllegalStateException("etcd did not become healthy within 20 s; see " + dir.resolve("etcd.log"));
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
      TempDirs.delete(dir);
    }
  }

  private static int freePort() {
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
