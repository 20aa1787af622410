package org.clusteripam.testkit.uml;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Boots a user-mode-linux kernel ({@link UmlKernel}: Debian's, or unstable's where Debian 12's
 * cannot run) as a process with the host filesystem as read-only root, loads the IPVS modules and
 * runs one Java main class inside it. The JVM is this test's own {@code java} with this test's
 * classpath; it reports through a result directory mounted over hostfs, because linux.uml itself
 * always exits 0. A driver inside writes its checks with {@link GuestReport}.
 */
public final class Uml {
  static final Path BUSYBOX = Path.of("/bin/busybox");

  /** The load order that works: dependencies first, then ip_vs and its schedulers (no modprobe). */
  static final List<String> MODULES =
      List.of(
          "lib/crc-ccitt",
          "net/ipv6/ipv6",
          "net/ipv4/netfilter/nf_defrag_ipv4",
          "net/ipv6/netfilter/nf_defrag_ipv6",
          "net/netfilter/nf_conntrack",
          "net/netfilter/ipvs/ip_vs",
          "net/netfilter/ipvs/ip_vs_rr",
          "net/netfilter/ipvs/ip_vs_wrr",
          "net/netfilter/ipvs/ip_vs_sh");

  /** Where the result directory appears inside UML (an empty directory of the host root). */
  public static final String GUEST_OUT = "/media";

  public record Result(
      int exitCode,
      String report,
      String driverLog,
      String console,
      String initLog,
      Duration elapsed) {}

  /**
   * Whether the kernel the tests boot ships {@code module} (a path as in {@link #MODULES}) as a
   * file; kernels differ (unstable's 7.x has no legacy {@code iptable_nat}).
   */
  public static boolean hasModule(String module) {
    UmlKernel k = UmlKernel.get();
    return Files.exists(k.modules().resolve(k.release()).resolve("kernel").resolve(module + ".ko"));
  }

  /** The kernel's release and where it came from, for reports. */
  public static String kernelVersion() {
    return UmlKernel.get().version();
  }

  /** Why the kernel test cannot run here, or null if it can. */
  public static String missingPrerequisite() {
    try {
      UmlKernel.get();
    } catch (AssertionError e) {
      return e.getMessage();
    }
    if (!Files.isExecutable(BUSYBOX)) {
      return BUSYBOX + " missing: install busybox-static";
    }
    return null;
  }

  /** JVM flags for a short run: quick start matters more than peak speed. */
  public static final List<String> QUICK_JVM =
      List.of("-Xmx320m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

  public static Result run(String mainClass, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    return run(QUICK_JVM, mainClass, args, timeout);
  }

  /**
   * As {@link #run(String, List, Duration)}, loading {@code extraModules} (paths under kernel/, no
   * .ko) too.
   */
  public static Result runWithModules(
      List<String> extraModules, String mainClass, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    List<String> modules = new ArrayList<>(MODULES);
    extraModules.stream().filter(m -> !modules.contains(m)).forEach(modules::add);
    return run(QUICK_JVM, modules, mainClass, args, timeout);
  }

  public static Result run(
      List<String> jvmFlags, String mainClass, List<String> args, Duration timeout)
      throws IOException, InterruptedException {
    return run(jvmFlags, MODULES, mainClass, args, timeout);
  }

  private static Result run(
      List<String> jvmFlags,
      List<String> modules,
      String mainClass,
      List<String> args,
      Duration timeout)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("ipam-lb-uml-");
    Path out = dir.resolve("out");
    Files.createDirectories(out);
    try {
      return boot(dir, out, jvmFlags, modules, mainClass, args, timeout);
    } finally {
      deleteTree(dir);
    }
  }

  private static Result boot(
      Path dir,
      Path out,
      List<String> jvmFlags,
      List<String> modules,
      String mainClass,
      List<String> args,
      Duration timeout)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    // Absolute entries: the guest's working directory is "/".
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    // The guest's writable tmpfs goes on an empty directory of our own: mounted over /tmp it would
    // hide a checkout (and so the classpath) that lives under /tmp.
    Path guestTmp = Files.createDirectories(dir.resolve("guest-tmp"));
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-Djava.io.tmpdir=" + guestTmp, "-cp", classpath, mainClass));
    cmd.addAll(args);
    StringBuilder line = new StringBuilder("exec");
    for (String c : cmd) {
      line.append(' ').append(shellQuote(c));
    }
    Files.writeString(out.resolve("cmd.sh"), line + "\n", StandardCharsets.UTF_8);

    Path init = dir.resolve("init.sh");
    Files.writeString(
        init, initScript(guestTmp, UmlKernel.get().modules(), modules), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));

    Path console = dir.resolve("console.txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                UmlKernel.get().linux().toString(),
                "mem=768M",
                "root=/dev/root",
                "rootfstype=hostfs",
                "rootflags=/",
                "ro",
                "init=" + init,
                "con0=fd:0,fd:1",
                "con=null",
                "OUT=" + out)
            .directory(dir.toFile())
            .redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .redirectOutput(console.toFile());
    long start = System.nanoTime();
    Process uml = pb.start();
    try {
      if (!awaitHalt(uml, console, timeout)) {
        throw new AssertionError(
            "user-mode-linux did not halt within "
                + timeout
                + "; exit file: '"
                + read(out.resolve("exit")).trim()
                + "'; console:\n"
                + tail(read(console), 60)
                + "\ninit log:\n"
                + tail(read(out.resolve("init.log")), 20)
                + "\ndriver log:\n"
                + tail(read(out.resolve("driver.log")), 60));
      }
    } finally {
      // UML forks helper processes (one per guest process and I/O threads): stop the whole tree.
      uml.descendants().forEach(ProcessHandle::destroyForcibly);
      uml.destroyForcibly();
      uml.waitFor(10, TimeUnit.SECONDS);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    String exit = read(out.resolve("exit")).trim();
    return new Result(
        exit.isEmpty() ? -1 : Integer.parseInt(exit),
        read(out.resolve("report.txt")),
        read(out.resolve("driver.log")),
        read(console),
        read(out.resolve("init.log")),
        elapsed);
  }

  /**
   * Waits for the guest to halt. The guest is done once its kernel prints its halt line (the exit
   * file is written and synced before): on a loaded host the UML process itself has been seen to
   * linger after that line, so the line counts as the halt and the finally block stops the tree.
   */
  private static boolean awaitHalt(Process uml, Path console, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (uml.waitFor(500, TimeUnit.MILLISECONDS)) {
        return true;
      }
      if (read(console).contains("reboot: System halted")) {
        uml.waitFor(5, TimeUnit.SECONDS);
        return true;
      }
    }
    return false;
  }

  private static String initScript(Path guestTmp, Path moduleTree, List<String> modules) {
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\n");
    s.append("# PID 1 inside user-mode-linux; OUT comes from the kernel command line.\n");
    s.append("PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\n");
    s.append("mount -t proc proc /proc\n");
    s.append("mount -t sysfs sys /sys\n");
    s.append("mount -t tmpfs -o size=256m tmpfs " + shellQuote(guestTmp.toString()) + "\n");
    s.append("mount -t hostfs none " + GUEST_OUT + " -o \"$OUT\"\n");
    s.append("LOG=" + GUEST_OUT + "/init.log\n");
    s.append("M=" + shellQuote(moduleTree.toString()) + "/$(uname -r)/kernel\n");
    // Kernels differ in what they build in (7.x: crc-ccitt and ipv6); a module with no file that
    // the kernel lists as built in, or that sysfs already shows, is there already.
    s.append("for m in " + String.join(" ", modules) + "; do\n");
    s.append("  n=${m##*/}\n");
    s.append("  if [ ! -e \"$M/$m.ko\" ] && { [ -d /sys/module/$(echo $n | tr - _) ] ||");
    s.append(" grep -q \"/$n.ko\\$\" \"$M/../modules.builtin\"; }; then\n");
    s.append("    echo \"$m built in\" >>$LOG; continue\n");
    s.append("  fi\n");
    s.append("  busybox insmod \"$M/$m.ko\" >>$LOG 2>&1 || echo \"insmod $m failed\" >>$LOG\n");
    s.append("done\n");
    s.append("busybox ip link set lo up >>$LOG 2>&1 || echo 'lo up failed' >>$LOG\n");
    s.append("sh " + GUEST_OUT + "/cmd.sh >" + GUEST_OUT + "/driver.log 2>&1\n");
    s.append("echo $? >" + GUEST_OUT + "/exit\n");
    s.append("sync\n");
    s.append("busybox halt -f\n");
    return s.toString();
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  public static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private Uml() {}
}
