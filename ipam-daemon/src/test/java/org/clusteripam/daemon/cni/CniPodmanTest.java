package org.clusteripam.daemon.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Podman 4.3 (Debian 12) with {@code network_backend = "cni"}, the real bridge plugin and a
 * conflist whose IPAM is cluster-ipam, run in a host network namespace of the test (nsenter --net
 * only, so runc keeps the cgroup mounts). One consolidated scenario: run --rm, --ip, -d + stop, 10
 * parallel runs, and a DEL that fails while the daemon is down reclaimed by reconciliation.
 */
class CniPodmanTest {
  static final Pattern INET = Pattern.compile("inet (10\\.213\\.[0-9.]+)/24");
  @TempDir Path dir;

  @Test
  void podmanRunsContainersOnClusterIpamAddresses() throws Exception {
    try (CniBed bed = new CniBed(dir, "--reconcile-interval", "PT1S", "--leak-grace", "PT2S")) {
      Podman p = new Podman(bed, dir.resolve("podman"));
      p.importBusybox();

      // run --rm: the address is inside the container, and released after.
      String out =
          p.ok("run", "--rm", "--network", "cinet", "bb:1", "ip", "-4", "addr", "show", "eth0");
      String first = address(out);
      assertThat(first).startsWith("10.213.");
      assertThat(p.attachmentsSettled()).isZero();

      // --ip: exactly that address.
      assertThat(
              address(
                  p.ok(
                      "run",
                      "--rm",
                      "--network",
                      "cinet",
                      "--ip",
                      "10.213.0.77",
                      "bb:1",
                      "ip",
                      "-4",
                      "addr",
                      "show",
                      "eth0")))
          .isEqualTo("10.213.0.77");

      // -d, then stop: held while it runs, released by the stop's DEL.
      String id = p.ok("run", "-d", "--network", "cinet", "bb:1", "sleep", "600").strip();
      String ip =
          p.ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"cinet\").IPAddress}}", id)
              .strip();
      assertThat(ip).startsWith("10.213.");
      assertThat(p.check(id).exit()).isZero();
      p.ok("stop", "-t", "1", id);
      p.awaitCleanup(id);
      assertThat(p.check(id).exit()).as("released by stop").isNotZero();
      p.ok("rm", id);

      // 10 parallel runs: 10 distinct addresses.
      ExecutorService pool = Executors.newFixedThreadPool(10);
      try {
        List<Future<String>> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          runs.add(
              pool.submit(
                  () ->
                      address(
                          p.ok(
                              "run",
                              "--rm",
                              "--network",
                              "cinet",
                              "bb:1",
                              "ip",
                              "-4",
                              "addr",
                              "show",
                              "eth0"))));
        }
        Set<String> seen = new HashSet<>();
        for (Future<String> f : runs) {
          seen.add(f.get());
        }
        assertThat(seen).hasSize(10);
      } finally {
        pool.shutdownNow();
      }
      assertThat(p.attachmentsSettled()).isZero();

      // A DEL while the daemon is down fails (Podman logs it and never retries): reconciliation
      // releases the attachment once its netns is gone.
      String lost = p.ok("run", "-d", "--network", "cinet", "bb:1", "sleep", "600").strip();
      assertThat(p.check(lost).exit()).isZero();
      bed.stopDaemon();
      Exec del = p.del(lost);
      assertThat(del.exit()).as("DEL with the daemon down").isNotZero();
      assertThat(del.stdout() + del.stderr()).contains("the cluster-ipam daemon is not answering");
      p.run("stop", "-t", "1", lost);
      p.run("rm", "-f", lost);
      // Podman's cleanup process may run its DEL after stop and rm return: it must have failed
      // against the stopped daemon before the daemon starts again, or the DEL (not reconciliation)
      // would release the attachment.
      p.awaitCleanup(lost);
      bed.startDaemon();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (p.check(lost).exit() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(p.check(lost).exit()).as("reclaimed").isNotZero();
      assertThat(bed.daemon().log())
          .contains("event=reclaimed_cni_attachment network=cinet container=" + lost);
      p.run("rm", "-af");
    }
  }

  static String address(String ipAddrOutput) {
    Matcher m = INET.matcher(ipAddrOutput);
    assertThat(m.find()).as("an address in " + ipAddrOutput).isTrue();
    return m.group(1);
  }

  /** Podman with a private root, runroot, containers.conf and CNI config directory. */
  static final class Podman {
    final CniBed bed;
    final Path base;
    final Map<String, String> env = new HashMap<>();

    Podman(CniBed bed, Path base) throws Exception {
      this.bed = bed;
      this.base = base;
      Path bin = CniPlugins.binDir(CniPlugins.BOOKWORM, base.resolve("bin"));
      Files.createDirectories(base.resolve("net.d"));
      Files.writeString(
          base.resolve("containers.conf"),
          String.join(
              "\n",
              "[containers]",
              "default_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]",
              "[engine]",
              "cgroup_manager = \"cgroupfs\"",
              "events_logger = \"file\"",
              "events_logfile_path = \"" + base.resolve("events.log") + "\"",
              "[network]",
              "network_backend = \"cni\"",
              "cni_plugin_dirs = [\"" + bin + "\"]",
              "network_config_dir = \"" + base.resolve("net.d") + "\"",
              ""));
      Files.writeString(
          base.resolve("net.d/cinet.conflist"),
          "{\"cniVersion\":\"1.0.0\",\"name\":\"cinet\",\"plugins\":[{\"type\":\"bridge\","
              + "\"bridge\":\"cbp"
              + bed.tag
              + "\",\"isGateway\":true,\"ipam\":{\"type\":\"cluster-ipam\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}]}\n");
      env.put("CONTAINERS_CONF", base.resolve("containers.conf").toString());
      env.put("CLUSTER_IPAM_CNI_SOCKET", bed.cniSocket.toString());
    }

    void importBusybox() throws Exception {
      Path img = Files.createDirectories(base.resolve("img/bin"));
      Files.copy(Path.of("/usr/bin/busybox"), img.resolve("busybox"));
      for (String l : List.of("sh", "sleep", "ip", "cat", "true")) {
        Files.createSymbolicLink(img.resolve(l), Path.of("busybox"));
      }
      Exec e =
          Exec.run(
              List.of(
                  "sh",
                  "-c",
                  "cd "
                      + base.resolve("img")
                      + " && tar -c . | "
                      + String.join(" ", command("import", "-", "bb:1"))),
              env,
              "",
              120);
      assertThat(e.exit()).as(e.stderr()).isZero();
    }

    List<String> command(String... args) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "nsenter",
                  "--net=/run/netns/" + bed.hostNs,
                  "--",
                  "podman",
                  "--root",
                  base.resolve("root").toString(),
                  "--runroot",
                  base.resolve("runroot").toString(),
                  "--tmpdir",
                  base.resolve("tmp").toString(),
                  "--storage-driver",
                  "vfs"));
      cmd.addAll(List.of(args));
      return cmd;
    }

    Exec run(String... args) throws Exception {
      return Exec.run(command(args), env, "", 120);
    }

    String ok(String... args) throws Exception {
      Exec e = run(args);
      assertThat(e.exit())
          .as("podman " + String.join(" ", args) + ": " + e.stdout() + e.stderr())
          .isZero();
      return e.stdout();
    }

    /** CHECK of the container's attachment, sent to the shim directly. */
    Exec check(String containerId) throws Exception {
      return bed.invoke(
          base.resolve("bin/cluster-ipam"),
          "CHECK",
          containerId,
          null,
          null,
          "{\"cniVersion\":\"1.0.0\",\"name\":\"cinet\",\"ipam\":{}}");
    }

    /** DEL of the container's attachment, sent to the shim directly. */
    Exec del(String containerId) throws Exception {
      return bed.invoke(
          base.resolve("bin/cluster-ipam"),
          "DEL",
          containerId,
          null,
          null,
          "{\"cniVersion\":\"1.0.0\",\"name\":\"cinet\",\"ipam\":{}}");
    }

    /**
     * Waits until no process names the container any more: conmon and podman's own cleanup process
     * (which runs the CNI DEL) outlive {@code podman stop}.
     */
    void awaitCleanup(String containerId) throws Exception {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline) {
        boolean named =
            ProcessHandle.allProcesses()
                .anyMatch(
                    h ->
                        h.info().arguments().stream()
                            .flatMap(java.util.Arrays::stream)
                            .anyMatch(a -> a.contains(containerId)));
        if (!named) {
          return;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("podman processes for " + containerId + " still running after 30 s");
    }

    long attachments() throws Exception {
      return bed.attachments("cinet");
    }

    /**
     * The attachment count once podman's cleanup (a process of its own after the container exits)
     * ran its DEL.
     */
    long attachmentsSettled() throws Exception {
      long deadline = System.nanoTime() + 20_000_000_000L;
      long n = attachments();
      while (n != 0 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        n = attachments();
      }
      return n;
    }
  }
}
