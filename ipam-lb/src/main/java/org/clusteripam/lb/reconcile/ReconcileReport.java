package org.clusteripam.lb.reconcile;

import java.util.List;
import org.clusteripam.lb.IpvsException;
import org.clusteripam.lb.IpvsOp;

/**
 * What one reconcile pass did: the changes the kernel accepted, the ones it refused, how many
 * removed destinations are still draining, and the drain sysctls.
 */
public record ReconcileReport(
    List<IpvsOp> applied, List<IpvsException> errors, int draining, List<SysctlSetting> sysctls) {

  public ReconcileReport {
    applied = List.copyOf(applied);
    errors = List.copyOf(errors);
    sysctls = List.copyOf(sysctls);
  }

  /** The table matches the desired state: nothing failed and nothing is left draining. */
  public boolean converged() {
    return errors.isEmpty() && draining == 0;
  }

  @Override
  public String toString() {
    return "ReconcileReport[applied="
        + applied.size()
        + ", errors="
        + errors
        + ", draining="
        + draining
        + ", sysctls="
        + sysctls
        + "]";
  }
}
