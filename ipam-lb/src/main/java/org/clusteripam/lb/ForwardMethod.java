package org.clusteripam.lb;

/** How IPVS forwards to a destination ({@code IP_VS_CONN_F_*} forwarding values). */
public enum ForwardMethod {
  /** NAT: rewrite the destination address (ipvsadm -m). */
  MASQ(0),
  /** Kernel-internal: a masq destination that is a local address. */
  LOCAL(1),
  /** IP-in-IP tunnel (ipvsadm -i). */
  TUNNEL(2),
  /** Direct routing / gatewaying (ipvsadm -g, its default). */
  DIRECT_ROUTE(3),
  BYPASS(4);

  private final int code;

  ForwardMethod(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static ForwardMethod of(int code) {
    int c = code & 0x7; // IP_VS_CONN_F_FWD_MASK
    for (ForwardMethod f : values()) {
      if (f.code == c) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown forwarding method " + code);
  }
}
