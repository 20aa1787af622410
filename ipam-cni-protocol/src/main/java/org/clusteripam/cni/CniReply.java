package org.clusteripam.cni;

/** What the plugin process prints on stdout and exits with. */
public record CniReply(int exitCode, String stdout) {
  public static CniReply ok(String stdout) {
    return new CniReply(0, stdout);
  }
}
