package org.clusteripam.lb.netlink;

/** One generic netlink request: command, family version, dump or not, and its attributes. */
public record GenlRequest(int command, int version, boolean dump, byte[] attributes) {

  /** The payload after the netlink header: {@code genlmsghdr} then the attributes. */
  public byte[] payload() {
    byte[] p = new byte[Netlink.GENL_HDRLEN + attributes.length];
    p[0] = (byte) command;
    p[1] = (byte) version;
    System.arraycopy(attributes, 0, p, Netlink.GENL_HDRLEN, attributes.length);
    return p;
  }

  public int extraFlags() {
    return dump ? Netlink.NLM_F_DUMP : 0;
  }

  /** The message exactly as {@link NetlinkSocket} sends it to family {@code familyId}. */
  public NetlinkMessage message(int familyId, int seq) {
    return new NetlinkMessage(
        familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | extraFlags(), seq, 0, payload());
  }

  /** CTRL_CMD_GETFAMILY for a family name (sent to GENL_ID_CTRL). */
  public static GenlRequest getFamily(String name) {
    return new GenlRequest(
        Netlink.CTRL_CMD_GETFAMILY,
        1,
        false,
        new AttributeWriter().string(Netlink.CTRL_ATTR_FAMILY_NAME, name).toByteArray());
  }
}
