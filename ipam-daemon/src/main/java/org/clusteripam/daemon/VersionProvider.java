package org.clusteripam.daemon;

import picocli.CommandLine.IVersionProvider;

/** Reports the jar's implementation version (or "development" when run from classes). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"cluster-ipam " + (v == null ? "development" : v)};
  }
}
