package org.clusteripam.daemon.serve;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd ({@code /usr/bin/etcd}) on random loopback ports with a temporary data directory,
 * stopped by pid (also when it fails to start). Shared by the daemon tests and benchmarks.
 */
public final class EtcdServer implements AutoCloseable {
  private final Process process;
  private final String endpoint;

  private EtcdServer(Process process, String endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  public static EtcdServer start(Path dir) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) {
      throw new AssertionError("/usr/bin/etcd is missing: run scripts/install-test-prereqs.sh (etcd-server)");
    }
    String client = "http://127.0.0.1:" + freePort();
    String peer = "http://127.0.0.1:" + freePort();
    Process p = new ProcessBuilder("/usr/bin/etcd", "--name", "default", "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls",
        client, "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster",
        "default=" + peer, "--log-level", "warn").redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    EtcdServer e = new EtcdServer(p, client);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    try {
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("etcd exited: " + Files.readString(dir.resolve("etcd.log")));
        }
        try {
          HttpURLConnection c = (HttpURLConnection) URI.create(client + "/health").toURL().openConnection();
          c.setConnectTimeout(300);
          c.setReadTimeout(300);
          if (c.getResponseCode() == 200) {
            return e;
          }
        } catch (IOException notYet) {
          // still starting
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("etcd not healthy within 20 s");
    } catch (Exception failed) {
      e.close();
      throw failed;
    }
  }

  public String endpoint() {
    return endpoint;
  }

  public long pid() {
    return process.pid();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
