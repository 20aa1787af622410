package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Child process for {@link FileStoreCrashTest}: writes forever from 8 threads and prints {@code ack
 * KEY COUNT} after each transaction returns (i.e. after it is acknowledged as durable).
 *
 * <p>Args: directory, run name, and optionally a {@link CompactionHook.Phase}: the first compaction
 * that reaches it prints {@code paused PHASE} and stays there (the writers go on) until the parent
 * kills this process.
 */
public final class FileStoreWriterMain {
  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, UTF_8);
    CompactionHook hook = CompactionHook.NONE;
    if (args.length > 2) {
      CompactionHook.Phase pauseAt = CompactionHook.Phase.valueOf(args[2]);
      AtomicBoolean paused = new AtomicBoolean();
      hook =
          phase -> {
            if (phase == pauseAt && paused.compareAndSet(false, true)) {
              synchronized (out) {
                out.println("paused " + phase);
              }
              try {
                Thread.sleep(Long.MAX_VALUE);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          };
    }
    FileStateStore store = FileStateStore.open(Path.of(args[0]), 16 * 1024, hook);
    System.out.println("ready");
    for (int t = 0; t < 8; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; ; i++) {
                  String key = "w/" + args[1] + "/" + id + "/" + i;
                  int n =
                      store.transact(
                          "write",
                          v -> {
                            v.put(key, ("value-" + key).getBytes(UTF_8));
                            int c =
                                v.get("count")
                                        .map(b -> Integer.parseInt(new String(b, UTF_8)))
                                        .orElse(0)
                                    + 1;
                            v.put("count", Integer.toString(c).getBytes(UTF_8));
                            return c;
                          });
                  synchronized (out) {
                    out.println("ack " + key + " " + n);
                  }
                }
              });
      th.start();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
