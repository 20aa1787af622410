package org.clusteripam.lb.netlink;

/** The kernel has no generic netlink family of this name (module not loaded or not built). */
public final class FamilyNotFoundException extends NetlinkException {
  private final String family;

  public FamilyNotFoundException(String family) {
    super("generic netlink family " + family + " not found", Errnos.ENOENT);
    this.family = family;
  }

  public String family() {
    return family;
  }
}
