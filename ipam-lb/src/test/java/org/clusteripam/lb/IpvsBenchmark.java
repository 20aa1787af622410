package org.clusteripam.lb;

import java.time.Duration;
import java.util.List;

/**
 * The IPVS benchmark, run by hand (not a test): boots user-mode-linux and runs
 * {@link IpvsBenchDriver} inside it, then prints its figures. Command in docs/bench/ipam-lb.md.
 */
public final class IpvsBenchmark {
  public static void main(String[] args) throws Exception {
    String missing = Uml.missingPrerequisite();
    if (missing != null) {
      System.err.println(missing);
      System.exit(2);
    }
    Uml.Result r = Uml.run(List.of("-Xmx400m", "-XX:+UseSerialGC"), IpvsBenchDriver.class.getName(),
        List.of(Uml.GUEST_OUT), Duration.ofMinutes(10));
    System.out.println(r.report());
    if (r.exitCode() != 0) {
      System.err.println("benchmark driver exited " + r.exitCode() + "\n" + r.driverLog() + "\n" + r.initLog());
      System.exit(1);
    }
    System.out.println("(user-mode-linux boot to halt: " + r.elapsed().toMillis() + " ms)");
  }

  private IpvsBenchmark() {}
}
