package org.clusteripam.etcd.file;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process for {@link FileStoreCrashTest}: writes forever from 8 threads and prints
 * {@code ack KEY} after each transaction returns (i.e. after it is acknowledged as durable).
 */
public final class FileStoreWriterMain {
  public static void main(String[] args) throws Exception {
    FileStateStore store = FileStateStore.open(Path.of(args[0]), 16 * 1024);
    PrintStream out = new PrintStream(System.out, true, UTF_8);
    System.out.println("ready");
    for (int t = 0; t < 8; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        for (int i = 0; ; i++) {
          String key = "w/" + args[1] + "/" + id + "/" + i;
          int n = store.transact("write", v -> {
            v.put(key, ("value-" + key).getBytes(UTF_8));
            int c = v.get("count").map(b -> Integer.parseInt(new String(b, UTF_8))).orElse(0) + 1;
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
