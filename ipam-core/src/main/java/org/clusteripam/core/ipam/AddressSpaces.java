package org.clusteripam.core.ipam;

/** The local and global address space names returned by GetDefaultAddressSpaces. */
public record AddressSpaces(String local, String global) {
  public static final AddressSpaces DEFAULT =
      new AddressSpaces("ClusterIpamLocal", "ClusterIpamGlobal");

  public AddressSpaces {
    if (local.equals(global)) {
      throw new IllegalArgumentException("local and global address spaces must differ");
    }
  }
}
