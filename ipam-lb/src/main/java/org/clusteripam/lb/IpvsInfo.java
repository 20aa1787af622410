package org.clusteripam.lb;

/** IPVS_CMD_GET_INFO: the kernel's IPVS version and connection hash table size. */
public record IpvsInfo(int version, int connectionTableSize) {

  /** "1.2.1" for version 0x010201. */
  public String versionString() {
    return ((version >> 16) & 0xff) + "." + ((version >> 8) & 0xff) + "." + (version & 0xff);
  }
}
