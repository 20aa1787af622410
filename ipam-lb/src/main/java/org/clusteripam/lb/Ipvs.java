package org.clusteripam.lb;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.FamilyNotFoundException;
import org.clusteripam.lb.netlink.GenericNetlink;
import org.clusteripam.lb.netlink.GenlRequest;
import org.clusteripam.lb.netlink.JnrNetlinkTransport;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.lb.netlink.NetlinkMessage;
import org.clusteripam.lb.netlink.NetlinkTransport;

/**
 * The kernel's IPVS table over generic netlink. Every method is one or a few netlink exchanges;
 * kernel refusals become {@link IpvsException} naming the operation and errno, and a kernel without
 * IPVS gives {@link IpvsUnavailableException} at {@link #open}. Thread-safe.
 *
 * <pre>{@code
 * try (Ipvs ipvs = Ipvs.open()) {
 *   AddressKey web = ServiceKey.of(IpAddress.parse("10.0.0.1"), Protocol.TCP, 80);
 *   ipvs.addService(VirtualService.of(web, "rr"));
 *   ipvs.addDestination(web, Destination.of(IpAddress.parse("10.1.0.1"), 8080, 1));
 * }
 * }</pre>
 */
public final class Ipvs implements AutoCloseable {
  private final GenericNetlink genl;

  private Ipvs(GenericNetlink genl) {
    this.genl = genl;
  }

  /** IPVS through the C library (JNR-FFI). */
  public static Ipvs open() {
    return open(JnrNetlinkTransport.get());
  }

  /** IPVS through any transport, e.g. a fake kernel. Resolves the family now. */
  public static Ipvs open(NetlinkTransport transport) {
    GenericNetlink genl = GenericNetlink.open(transport);
    try {
      genl.familyId(IpvsCodec.FAMILY);
    } catch (FamilyNotFoundException e) {
      genl.close();
      throw new IpvsUnavailableException("open", e);
    } catch (RuntimeException e) {
      genl.close();
      throw e;
    }
    return new Ipvs(genl);
  }

  public IpvsInfo info() {
    return call(
        "get info",
        () -> IpvsCodec.decodeInfo(single(genl.request(IpvsCodec.FAMILY, IpvsCodec.getInfo()))));
  }

  /** Every service in the table, with counters. */
  public List<VirtualService> services() {
    return call(
        "list services",
        () -> {
          List<VirtualService> out = new ArrayList<>();
          for (NetlinkMessage m : genl.request(IpvsCodec.FAMILY, IpvsCodec.dumpServices())) {
            out.add(IpvsCodec.decodeService(m));
          }
          return out;
        });
  }

  /** One service, or empty if the kernel has none with this key (ESRCH). */
  public Optional<VirtualService> service(ServiceKey key) {
    try {
      return Optional.of(
          call(
              "get service " + key,
              () ->
                  IpvsCodec.decodeService(
                      single(genl.request(IpvsCodec.FAMILY, IpvsCodec.getService(key))))));
    } catch (IpvsException e) {
      if (e.errno() == Errnos.ESRCH) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * The destinations of a service, with connection counters; empty if there is no such service (the
   * kernel dumps nothing).
   */
  public List<Destination> destinations(ServiceKey key) {
    return call(
        "list destinations of " + key,
        () -> {
          List<Destination> out = new ArrayList<>();
          for (NetlinkMessage m : genl.request(IpvsCodec.FAMILY, IpvsCodec.dumpDestinations(key))) {
            out.add(IpvsCodec.decodeDestination(m, key.family()));
          }
          return out;
        });
  }

  public void addService(VirtualService service) {
    run(new IpvsOp.AddService(service));
  }

  public void updateService(VirtualService service) {
    run(new IpvsOp.UpdateService(service));
  }

  public void deleteService(ServiceKey key) {
    run(new IpvsOp.DeleteService(key));
  }

  public void addDestination(ServiceKey key, Destination destination) {
    run(new IpvsOp.AddDestination(key, destination));
  }

  public void updateDestination(ServiceKey key, Destination destination) {
    run(new IpvsOp.UpdateDestination(key, destination));
  }

  /**
   * Deletes a destination; only address and port identify it (the rest is sent as ipvsadm does).
   */
  public void deleteDestination(
      ServiceKey key, org.clusteripam.core.net.IpAddress address, int port) {
    run(
        new IpvsOp.DeleteDestination(
            key, Destination.of(address, port, 1).withForward(ForwardMethod.DIRECT_ROUTE)));
  }

  /** Deletes every service and destination. */
  public void flush() {
    run(new IpvsOp.Flush());
  }

  /** Runs one change; throws if the kernel refuses it. */
  public void run(IpvsOp op) {
    call(op.describe(), () -> genl.request(IpvsCodec.FAMILY, IpvsCodec.encode(op)));
  }

  /**
   * Sends many changes, several per netlink datagram, and returns one result per change in order.
   * The kernel applies each on its own: a failed change does not stop the others.
   */
  public List<Result> apply(List<? extends IpvsOp> ops) {
    List<GenlRequest> requests = new ArrayList<>(ops.size());
    for (IpvsOp op : ops) {
      requests.add(IpvsCodec.encode(op));
    }
    int[] errnos =
        call("apply " + ops.size() + " changes", () -> genl.batch(IpvsCodec.FAMILY, requests));
    List<Result> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      out.add(new Result(ops.get(i), errnos[i]));
    }
    return out;
  }

  /** The outcome of one change of {@link #apply}: errno 0 on success. */
  public record Result(IpvsOp op, int errno) {
    public boolean ok() {
      return errno == 0;
    }

    public IpvsException exception() {
      return new IpvsException(op.describe(), errno);
    }
  }

  @Override
  public void close() {
    genl.close();
  }

  private static NetlinkMessage single(List<NetlinkMessage> replies) {
    if (replies.isEmpty()) {
      throw new NetlinkException("no reply");
    }
    return replies.get(0);
  }

  private static <T> T call(String operation, Supplier<T> body) {
    try {
      return body.get();
    } catch (FamilyNotFoundException e) {
      throw new IpvsUnavailableException(operation, e);
    } catch (NetlinkException e) {
      if (e.errno() == 0) {
        throw new IpvsException(operation, 0, operation + ": " + e.getMessage(), e);
      }
      throw new IpvsException(operation, e.errno());
    }
  }
}
