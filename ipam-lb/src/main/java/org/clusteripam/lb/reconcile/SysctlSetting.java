package org.clusteripam.lb.reconcile;

/** One sysctl the reconciler maintains: its value before and after this pass. */
public record SysctlSetting(String name, String before, String after) {
  public boolean changed() {
    return !before.equals(after);
  }
}
