package org.clusteripam.lb;

/** One change to the IPVS table: what {@link Ipvs#apply} sends, one netlink message each. */
public sealed interface IpvsOp {

  /** Names the operation in errors, e.g. "add service TCP 10.0.0.1:80". */
  String describe();

  record AddService(VirtualService service) implements IpvsOp {
    public String describe() {
      return "add service " + service.key();
    }
  }

  record UpdateService(VirtualService service) implements IpvsOp {
    public String describe() {
      return "update service " + service.key();
    }
  }

  record DeleteService(ServiceKey key) implements IpvsOp {
    public String describe() {
      return "delete service " + key;
    }
  }

  record AddDestination(ServiceKey key, Destination destination) implements IpvsOp {
    public String describe() {
      return "add destination " + endpoint(destination) + " to " + key;
    }
  }

  record UpdateDestination(ServiceKey key, Destination destination) implements IpvsOp {
    public String describe() {
      return "update destination " + endpoint(destination) + " of " + key;
    }
  }

  record DeleteDestination(ServiceKey key, Destination destination) implements IpvsOp {
    public String describe() {
      return "delete destination " + endpoint(destination) + " from " + key;
    }
  }

  /** Deletes every service (ipvsadm -C). */
  record Flush() implements IpvsOp {
    public String describe() {
      return "flush";
    }
  }

  private static String endpoint(Destination d) {
    return (d.address().isV4() ? d.address().toString() : "[" + d.address() + "]") + ":" + d.port();
  }
}
