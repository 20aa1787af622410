package org.clusteripam.examples;

import java.io.PrintStream;
import java.math.BigInteger;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.CapacityPlanner;

/**
 * Plans a cluster's address space with ipam-core and prints it: the capacity figures, then the
 * first network pools and the host blocks of the first pool.
 *
 * <pre>
 * mvn -q -pl examples exec:java -Dexec.mainClass=org.clusteripam.examples.PlanAddressSpace \
 *     -Dexec.args="10.80.0.0/12 24 26 10"
 * </pre>
 */
public final class PlanAddressSpace {
  private PlanAddressSpace() {}

  public static void main(String[] args) {
    IpPrefix supernet = IpPrefix.parse(args.length > 0 ? args[0] : "10.80.0.0/12");
    int networkPrefix = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int hostPrefix = args.length > 2 ? Integer.parseInt(args[2]) : 26;
    int services = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    print(new CapacityInput(supernet, networkPrefix, hostPrefix, services), System.out);
  }

  static void print(CapacityInput input, PrintStream out) {
    CapacityPlan plan = CapacityPlanner.plan(input);
    out.printf(
        "supernet %s: %s networks of /%d, %s hosts each, %s container addresses per host%n",
        input.supernet(),
        plan.networks(),
        input.networkPrefix(),
        plan.hostsPerNetwork(),
        plan.containerAddressesPerHost());
    plan.warnings().forEach(w -> out.println("warning: " + w));

    long shownPools = plan.networks().min(BigInteger.valueOf(3)).longValueExact();
    for (long i = 0; i < shownPools; i++) {
      IpPrefix pool = input.supernet().subPrefix(input.networkPrefix(), i);
      out.printf("pool %d: %s%n", i, pool);
      if (i == 0) {
        long shownBlocks = plan.hostsPerNetwork().min(BigInteger.valueOf(4)).longValueExact();
        for (long b = 0; b < shownBlocks; b++) {
          IpPrefix block = pool.subPrefix(input.hostPrefix(), b);
          out.printf("  host block %d: %s (%s - %s)%n", b, block, block.first(), block.last());
        }
      }
    }
  }
}
