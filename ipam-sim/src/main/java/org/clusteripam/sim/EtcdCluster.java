package org.clusteripam.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real etcd of one or three members ({@code /usr/bin/etcd}) on free loopback ports, each with a
 * temporary data directory. {@link #close} stops every member by its pid (SIGTERM, then SIGKILL)
 * and deletes the directories; a shutdown hook does the same on Ctrl-C.
 */
public final class EtcdCluster implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/etcd");

  private final Path dir;
  private final List<Member> members = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "etcd-cluster-stop");
  private volatile boolean closed;

  private record Member(String name, int clientPort, int peerPort, Process process) {
    String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }
  }

  private EtcdCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code size} (1 or 3) members and waits until each reports healthy. */
  public static EtcdCluster start(int size) {
    if (size != 1 && size != 3) {
      throw new IllegalArgumentException("an etcd cluster here has 1 or 3 members, not " + size);
    }
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: install Debian's etcd-server (scripts/install-test-prereqs.sh)");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("ipam-sim-etcd");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EtcdCluster c = new EtcdCluster(dir);
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      c.launch(size);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void launch(int size) {
    int[] client = new int[size];
    int[] peer = new int[size];
    StringBuilder initial = new StringBuilder();
    for (int i = 0; i < size; i++) {
      client[i] = freePort();
      peer[i] = freePort();
      initial.append(i == 0 ? "" : ",").append("m").append(i).append("=http://127.0.0.1:").append(peer[i]);
    }
    String token = "ipam-sim-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    for (int i = 0; i < size; i++) {
      String name = "m" + i;
      String clientUrl = "http://127.0.0.1:" + client[i];
      String peerUrl = "http://127.0.0.1:" + peer[i];
      ProcessBuilder pb = new ProcessBuilder(BINARY.toString(),
          "--name", name,
          "--data-dir", dir.resolve(name).toString(),
          "--listen-client-urls", clientUrl,
          "--advertise-client-urls", clientUrl,
          "--listen-peer-urls", peerUrl,
          "--initial-advertise-peer-urls", peerUrl,
          "--initial-cluster", initial.toString(),
          "--initial-cluster-token", token,
          "--initial-cluster-state", "new",
          // long runs write a lot of history: room for it instead of an alarm mid-run
          "--quota-backend-bytes", String.valueOf(8L << 30),
          "--log-level", "warn");
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
      try {
        members.add(new Member(name, client[i], peer[i], pb.start()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (Member m : members) {
      awaitHealthy(m);
    }
  }

  /** The client URLs of every member. */
  public List<String> endpoints() {
    return members.stream().map(Member::clientUrl).toList();
  }

  /** The pids of the members, for the report. */
  public List<Long> pids() {
    return members.stream().map(m -> m.process.pid()).toList();
  }

  private void awaitHealthy(Member m) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (!m.process.isAlive()) {
        throw new IllegalStateException("etcd member " + m.name + " exited with " + m.process.exitValue() + "; see "
            + dir.resolve(m.name + ".log"));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(m.clientUrl() + "/health").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        if (c.getResponseCode() == 200
            && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // retry
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd", e);
      }
    }
    throw new IllegalStateException("etcd member " + m.name + " did not become healthy within 30 s; see " + dir.resolve(m.name + ".log"));
  }

  private synchronized void stopAll() {
    for (Member m : members) {
      m.process.destroy();
    }
    for (Member m : members) {
      try {
        if (!m.process.waitFor(5, TimeUnit.SECONDS)) {
          m.process.destroyForcibly();
          m.process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        m.process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    members.clear();
    deleteTree(dir);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
