package org.clusteripam.lb.netlink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Generic netlink over one {@link NetlinkSocket}: resolves family ids by name and sends requests to
 * them. Ids are assigned at module load, so they differ between boots and after a reload; a request
 * that fails with ENOENT is retried once if a fresh lookup yields a different id.
 */
public final class GenericNetlink implements AutoCloseable {
  private final NetlinkSocket socket;
  private final Map<String, Integer> families = new ConcurrentHashMap<>();

  private GenericNetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  public static GenericNetlink open(NetlinkTransport transport) {
    return new GenericNetlink(NetlinkSocket.open(transport, Netlink.NETLINK_GENERIC));
  }

  /** The id of {@code name}, from the cache or CTRL_CMD_GETFAMILY. */
  public int familyId(String name) {
    Integer id = families.get(name);
    return id != null ? id : lookup(name);
  }

  private int lookup(String name) {
    GenlRequest r = GenlRequest.getFamily(name);
    List<NetlinkMessage> replies;
    try {
      replies = socket.request(Netlink.GENL_ID_CTRL, r.extraFlags(), r.payload());
    } catch (NetlinkException e) {
      if (e.errno() == Errnos.ENOENT) {
        families.remove(name);
        throw new FamilyNotFoundException(name);
      }
      throw e;
    }
    for (NetlinkMessage m : replies) {
      Attributes a = m.genlAttributes();
      if (a.has(Netlink.CTRL_ATTR_FAMILY_ID)) {
        int id = a.u16(Netlink.CTRL_ATTR_FAMILY_ID);
        families.put(name, id);
        return id;
      }
    }
    throw new NetlinkException("CTRL_CMD_GETFAMILY " + name + ": reply without a family id");
  }

  /** Sends a request to a family and returns the replies (see {@link NetlinkSocket#request}). */
  public List<NetlinkMessage> request(String family, GenlRequest request) {
    int id = familyId(family);
    try {
      return socket.request(id, request.extraFlags(), request.payload());
    } catch (NetlinkException e) {
      if (e.errno() != Errnos.ENOENT || lookup(family) == id) {
        throw e;
      }
      return socket.request(familyId(family), request.extraFlags(), request.payload());
    }
  }

  /** ACK-only requests in batches; per request 0 or its errno (see {@link NetlinkSocket#batch}). */
  public int[] batch(String family, List<GenlRequest> requests) {
    int id = familyId(family);
    int[] result = socket.batch(toSocketRequests(id, requests));
    if (!requests.isEmpty() && allEnoent(result) && lookup(family) != id) {
      result = socket.batch(toSocketRequests(familyId(family), requests));
    }
    return result;
  }

  private static boolean allEnoent(int[] result) {
    for (int r : result) {
      if (r != Errnos.ENOENT) {
        return false;
      }
    }
    return true;
  }

  private static List<NetlinkSocket.Request> toSocketRequests(int id, List<GenlRequest> requests) {
    return requests.stream()
        .map(r -> new NetlinkSocket.Request(id, r.extraFlags(), r.payload()))
        .toList();
  }

  @Override
  public void close() {
    socket.close();
  }
}
