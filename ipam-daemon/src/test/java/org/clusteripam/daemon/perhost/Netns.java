package org.clusteripam.daemon.perhost;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;

/**
 * A thread inside a named network namespace ({@code /run/netns/NAME}): setns(2) moves only the
 * calling thread, and every socket (netlink, TCP) opened on it belongs to that namespace, so one
 * JVM can act as several hosts and containers. Tests only.
 */
final class Netns implements AutoCloseable {
  /** The libc calls needed to enter a namespace. */
  public interface LibC {
    int open(String path, int flags);

    int setns(int fd, int nstype);

    int close(int fd);
  }

  private static final int O_RDONLY = 0;
  private static final int CLONE_NEWNET = 0x40000000;
  private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");

  final String name;
  private final ExecutorService thread;

  Netns(String name) {
    this.name = name;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t =
                  new Thread(
                      () -> {
                        enter(name);
                        r.run();
                      },
                      "netns-" + name);
              t.setDaemon(true);
              return t;
            });
  }

  /** Moves the calling thread into namespace {@code name}. */
  static void enter(String name) {
    int fd = LIBC.open("/run/netns/" + name, O_RDONLY);
    if (fd < 0) {
      throw new IllegalStateException("cannot open /run/netns/" + name);
    }
    try {
      if (LIBC.setns(fd, CLONE_NEWNET) != 0) {
        throw new IllegalStateException("setns into " + name + " failed");
      }
    } finally {
      LIBC.close(fd);
    }
  }

  /** Runs {@code body} on this namespace's thread and waits for it. */
  <T> T call(Callable<T> body) throws Exception {
    try {
      return thread.submit(body).get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw e;
    }
  }

  /** Starts a thread inside this namespace (for servers). */
  Thread spawn(String threadName, Runnable body) {
    Thread t =
        new Thread(
            () -> {
              enter(name);
              body.run();
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
