package org.clusteripam.testkit.etcd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.testkit.TempDirs;

/**
 * A real etcd of one or three members on free loopback ports, in one temporary directory. {@link
 * #close} stops every member by its pid (SIGTERM, then SIGKILL) and deletes the directory; a
 * shutdown hook does the same on Ctrl-C.
 */
public final class EtcdCluster implements AutoCloseable {
  private final Path dir;
  private final List<EtcdProcess> members = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll, "etcd-cluster-stop");
  private volatile boolean closed;

  private EtcdCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code size} (1 or 3) members and waits until each reports healthy. */
  public static EtcdCluster start(int size) {
    if (size != 1 && size != 3) {
      throw new IllegalArgumentException("an etcd cluster here has 1 or 3 members, not " + size);
    }
    EtcdProcess.requireBinary();
    EtcdCluster c = new EtcdCluster(TempDirs.create("etcd-cluster"));
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
    String token = "etcd-cluster-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    List<String> args =
        List.of(
            "--initial-cluster-token",
            token,
            "--initial-cluster-state",
            "new",
            // long runs write a lot of history: room for it instead of an alarm mid-run
            "--quota-backend-bytes",
            String.valueOf(8L << 30));
    StringBuilder initial = new StringBuilder();
    for (int i = 0; i < size; i++) {
      EtcdProcess m =
          new EtcdProcess(
              dir, "m" + i, EtcdProcess.freePort(), EtcdProcess.freePort(), "http", args, false);
      members.add(m);
      initial.append(i == 0 ? "" : ",").append("m").append(i).append('=').append(m.peerUrl());
    }
    for (EtcdProcess m : members) {
      m.initialCluster(initial.toString());
      m.launch();
    }
    for (EtcdProcess m : members) {
      m.awaitHealthy();
    }
  }

  /** The client URLs of every member. */
  public List<String> endpoints() {
    return members.stream().map(EtcdProcess::endpoint).toList();
  }

  /** The pids of the members, for a report. */
  public List<Long> pids() {
    return members.stream().map(EtcdProcess::pid).toList();
  }

  private synchronized void stopAll() {
    for (EtcdProcess m : members) {
      m.stop();
    }
    members.clear();
    TempDirs.delete(dir);
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
}
