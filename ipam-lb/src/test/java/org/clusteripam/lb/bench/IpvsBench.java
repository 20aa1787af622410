package org.clusteripam.lb.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.lb.AddressKey;
import org.clusteripam.lb.Destination;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.IpvsOp;
import org.clusteripam.lb.Protocol;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.reconcile.Backend;
import org.clusteripam.lb.reconcile.DesiredService;
import org.clusteripam.lb.reconcile.LoadBalancerReconciler;
import org.clusteripam.lb.reconcile.ReconcileReport;
import org.clusteripam.testkit.uml.Uml;

/**
 * The IPVS benchmark, run by hand (not a test; command in docs/bench/ipam-lb.md): without arguments
 * it boots user-mode-linux, runs itself inside with the result directory as argument and prints the
 * report. Inside: 1,000 services x 10 backends applied from empty and a 10 % change reconciled,
 * each against {@code ipvsadm --restore} of the same commands; medians of {@link #ROUNDS} rounds to
 * {@code <out>/report.txt}.
 */
public final class IpvsBench {
  static final int SERVICES = 1000;
  static final int BACKENDS = 10;
  static final int ROUNDS = 5;

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      onHost();
    } else {
      inGuest(Path.of(args[0]));
    }
  }

  private static void onHost() throws Exception {
    String missing = Uml.missingPrerequisite();
    if (missing != null) {
      System.err.println(missing);
      System.exit(2);
    }
    Uml.Result r =
        Uml.run(
            List.of("-Xmx400m", "-XX:+UseSerialGC"),
            IpvsBench.class.getName(),
            List.of(Uml.GUEST_OUT),
            Duration.ofMinutes(10));
    System.out.println(r.report());
    if (r.exitCode() != 0) {
      System.err.println(
          "benchmark driver exited " + r.exitCode() + "\n" + r.driverLog() + "\n" + r.initLog());
      System.exit(1);
    }
    System.out.println("(user-mode-linux boot to halt: " + r.elapsed().toMillis() + " ms)");
  }

  private static void inGuest(Path out) throws Exception {
    try (PrintWriter w =
            new PrintWriter(
                Files.newBufferedWriter(out.resolve("report.txt"), StandardCharsets.UTF_8), true);
        Ipvs ipvs = Ipvs.open()) {
      List<DesiredService> base = table(false);
      List<DesiredService> changed = table(true);
      Path full = Path.of(System.getProperty("java.io.tmpdir"), "full.rules");
      Path delta = Path.of(System.getProperty("java.io.tmpdir"), "delta.rules");
      Files.writeString(full, restoreRules(base));
      Files.writeString(delta, deltaRules(base, changed));
      w.printf(
          "IPVS benchmark in user-mode-linux %s, %d services x %d backends (%d ops), %d rounds, median ms%n",
          System.getProperty("os.version"), SERVICES, BACKENDS, SERVICES * (BACKENDS + 1), ROUNDS);

      long[] applyEmpty = new long[ROUNDS];
      long[] change = new long[ROUNDS];
      long[] finishDrain = new long[ROUNDS];
      long[] noop = new long[ROUNDS];
      long[] unbatched = new long[ROUNDS];
      long[] restoreFull = new long[ROUNDS];
      long[] restoreDelta = new long[ROUNDS];
      long[] listing = new long[ROUNDS];
      int changeOps = 0;
      for (int round = 0; round < ROUNDS; round++) {
        ipvs.flush();
        LoadBalancerReconciler r =
            new LoadBalancerReconciler(ipvs, Duration.ofSeconds(30), k -> true, null);
        Instant now = Instant.EPOCH;
        ReconcileReport[] rep = new ReconcileReport[1];
        applyEmpty[round] = time(() -> rep[0] = r.reconcile(base, now));
        check(
            rep[0].applied().size() == SERVICES * (BACKENDS + 1) && rep[0].converged(),
            "apply " + rep[0]);
        noop[round] = time(() -> rep[0] = r.reconcile(base, now));
        check(rep[0].applied().isEmpty(), "no-op " + rep[0]);
        change[round] = time(() -> rep[0] = r.reconcile(changed, now));
        changeOps = rep[0].applied().size();
        check(rep[0].errors().isEmpty(), "change " + rep[0]);
        finishDrain[round] = time(() -> rep[0] = r.reconcile(changed, now.plusSeconds(1)));
        check(rep[0].converged(), "drain " + rep[0]);
        listing[round] = time(() -> ipvs.services().forEach(s -> ipvs.destinations(s.key())));

        ipvs.flush();
        List<IpvsOp> ops = ops(base);
        unbatched[round] = time(() -> ops.forEach(ipvs::run));
        check(ipvs.services().size() == SERVICES, "unbatched");

        ipvs.flush();
        restoreFull[round] = time(() -> restore(full));
        check(ipvs.services().size() == SERVICES, "restore");
        restoreDelta[round] = time(() -> restore(delta));
        check(ipvs.destinations(changed.get(0).key()).size() == BACKENDS, "restore delta");
      }
      ipvs.flush();
      int deltaLines = Files.readAllLines(delta).size();
      w.printf(
          "%-62s %8d%n", "reconcile from empty (list + diff + batched apply)", median(applyEmpty));
      w.printf(
          "%-62s %8d%n", "same ops one request per datagram (Ipvs.run loop)", median(unbatched));
      w.printf("%-62s %8d%n", "ipvsadm --restore of the same table", median(restoreFull));
      w.printf(
          "%-62s %8d%n",
          "reconcile with nothing to do (list 1,000 services + dests)", median(noop));
      w.printf("%-62s %8d%n", "list whole table (Ipvs.services + destinations)", median(listing));
      w.printf(
          "%-62s %8d%n",
          "reconcile 10 % change (" + changeOps + " ops; 500 removals drain)", median(change));
      w.printf("%-62s %8d%n", "next pass: delete the 500 drained backends", median(finishDrain));
      w.printf(
          "%-62s %8d%n",
          "ipvsadm --restore of the 10 % change (" + deltaLines + " commands)",
          median(restoreDelta));
    }
  }

  /** Service i: TCP 10.100.(i/250).(i%250+1):80 with backends 10.(200+j).(i/250).(i%250+1):8080. */
  static List<DesiredService> table(boolean changed) {
    List<DesiredService> out = new ArrayList<>();
    for (int i = 0; i < SERVICES; i++) {
      String tail = (i / 250) + "." + (i % 250 + 1);
      AddressKey key = ServiceKey.of(IpAddress.parse("10.100." + tail), Protocol.TCP, 80);
      List<Backend> backends = new ArrayList<>();
      for (int j = 0; j < BACKENDS; j++) {
        backends.add(Backend.of("10." + (200 + j) + "." + tail, 8080, 1));
      }
      // 10 % of all backends change: even services reweight one, odd services replace one.
      if (changed && i % 2 == 0) {
        backends.set(0, Backend.of("10.200." + tail, 8080, 5));
      } else if (changed) {
        backends.set(BACKENDS - 1, Backend.of("10.250." + tail, 8080, 1));
      }
      out.add(DesiredService.of(key, "rr", backends.toArray(Backend[]::new)));
    }
    return out;
  }

  static List<IpvsOp> ops(List<DesiredService> table) {
    List<IpvsOp> ops = new ArrayList<>();
    for (DesiredService d : table) {
      ops.add(new IpvsOp.AddService(d.service()));
      for (Backend b : d.backends()) {
        ops.add(
            new IpvsOp.AddDestination(d.key(), Destination.of(b.address(), b.port(), b.weight())));
      }
    }
    return ops;
  }

  static String restoreRules(List<DesiredService> table) {
    StringBuilder sb = new StringBuilder();
    for (DesiredService d : table) {
      String vip = vip(d);
      sb.append("-A -t ").append(vip).append(" -s rr\n");
      for (Backend b : d.backends()) {
        sb.append("-a -t ")
            .append(vip)
            .append(" -r ")
            .append(b.address())
            .append(':')
            .append(b.port())
            .append(" -m -w ")
            .append(b.weight())
            .append('\n');
      }
    }
    return sb.toString();
  }

  /** What an ipvsadm user would run for the change: edit weights, add new, delete gone. */
  static String deltaRules(List<DesiredService> before, List<DesiredService> after) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < before.size(); i++) {
      String vip = vip(before.get(i));
      Backend oldFirst = before.get(i).backends().get(0);
      Backend newFirst = after.get(i).backends().get(0);
      Backend gone = before.get(i).backends().get(BACKENDS - 1);
      Backend added = after.get(i).backends().get(BACKENDS - 1);
      if (newFirst.weight() != oldFirst.weight()) {
        sb.append("-e -t ")
            .append(vip)
            .append(" -r ")
            .append(oldFirst.address())
            .append(":8080 -m -w ")
            .append(newFirst.weight())
            .append('\n');
      }
      if (!added.equals(gone)) {
        sb.append("-a -t ")
            .append(vip)
            .append(" -r ")
            .append(added.address())
            .append(":8080 -m -w 1\n");
        sb.append("-d -t ").append(vip).append(" -r ").append(gone.address()).append(":8080\n");
      }
    }
    return sb.toString();
  }

  private static String vip(DesiredService d) {
    AddressKey k = (AddressKey) d.key();
    return k.address() + ":" + k.port();
  }

  private static void restore(Path rules) {
    try {
      Process p =
          new ProcessBuilder("ipvsadm", "--restore")
              .redirectInput(rules.toFile())
              .redirectErrorStream(true)
              .start();
      try {
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
          throw new IllegalStateException("ipvsadm --restore failed: " + output);
        }
      } finally {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long time(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark sanity check failed: " + what);
    }
  }

  private IpvsBench() {}
}
