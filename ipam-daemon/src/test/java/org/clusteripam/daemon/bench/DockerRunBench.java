package org.clusteripam.daemon.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.clusteripam.daemon.docker.DockerdProcess;
import org.clusteripam.daemon.serve.DaemonProcess;

/**
 * {@code docker run} wall time with cluster-ipam versus Docker's default IPAM on the same private
 * dockerd, plus the daemon's start-to-ready time and resident memory. Not a test: run with {@code
 * mvn -B -o -q -pl ipam-daemon test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.clusteripam.daemon.bench.DockerRunBench
 * -Dexec.args="ipam-daemon/target/ipam-daemon.jar 30"}.
 */
public final class DockerRunBench {
  public static void main(String[] args) throws Exception {
    Path jar =
        Path.of(args.length > 0 ? args[0] : "ipam-daemon/target/ipam-daemon.jar").toAbsolutePath();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(
          "no shaded jar at " + jar + ": mvn -pl ipam-daemon package first");
    }
    try (DockerdProcess d = DockerdProcess.start()) {
      Path socket = d.pluginsDir().resolve("cluster-ipam.sock");
      String[] serve = {
        "--socket",
        socket.toString(),
        "--state-dir",
        d.base().resolve("st").toString(),
        "--node-id",
        "bench",
        "--docker-host",
        d.dockerHost(),
        "--metrics",
        "off"
      };
      List<Long> readyMs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        try (DaemonProcess p =
            DaemonProcess.startJar(jar, d.base().resolve("start" + i + ".log"), serve)) {
          readyMs.add(p.awaitSocket(socket, Duration.ofSeconds(30)).toMillis());
          p.stop(Duration.ofSeconds(15));
        }
      }
      try (DaemonProcess p = DaemonProcess.startJar(jar, d.base().resolve("daemon.log"), serve)) {
        p.awaitSocket(socket, Duration.ofSeconds(30));
        d.docker("network", "create", "-d", "bridge", "def");
        d.docker("network", "create", "-d", "bridge", "--ipam-driver", "cluster-ipam", "ci");
        for (int i = 0; i < 3; i++) { // warm-up: JIT, page cache, first-use paths
          run(d, "def");
          run(d, "ci");
        }
        List<Long> def = new ArrayList<>();
        List<Long> ci = new ArrayList<>();
        for (int i = 0; i < runs; i++) { // alternate so drift in machine load hits both alike
          def.add(run(d, "def"));
          ci.add(run(d, "ci"));
        }
        long rssKb = rssKb(p.pid());
        System.out.printf(
            "daemon start-to-socket (JVM spawn to listening), 5 starts: %s ms, median %d ms%n",
            readyMs, median(readyMs));
        System.out.printf("daemon RSS after %d runs: %d MB%n", runs + 3, rssKb / 1024);
        System.out.printf(
            "docker run --rm (%d runs each): default IPAM median %d ms mean %d ms; cluster-ipam median %d ms mean %d ms%n",
            runs, median(def), mean(def), median(ci), mean(ci));
        System.out.printf(
            "ratio cluster-ipam / default (median): %.3f%n", (double) median(ci) / median(def));
        d.docker("network", "rm", "def", "ci");
        p.stop(Duration.ofSeconds(15));
      }
    }
  }

  static long run(DockerdProcess d, String network) throws Exception {
    long t0 = System.nanoTime();
    d.docker("run", "--rm", "--network", network, "bb:1", "true");
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static long rssKb(long pid) throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static long median(List<Long> l) {
    List<Long> s = new ArrayList<>(l);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  static long mean(List<Long> l) {
    return Math.round(l.stream().mapToLong(Long::longValue).average().orElse(0));
  }
}
