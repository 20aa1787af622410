package org.clusteripam.core.ipam;

import java.util.Optional;
import org.clusteripam.core.cni.AttachmentId;

/**
 * Who holds an address, a pool or a block. The store keeps a holder as its {@link #format() string
 * form}; {@link #parse} is the one place that reads it back. Every form but a host's starts with
 * {@code @}, which a host id never contains, so no two forms ever share a string and Docker
 * reconciliation never takes a VIP or a CNI attachment for a host's container address.
 *
 * <table>
 *   <caption>Holder forms</caption>
 *   <tr><th>form</th><th>stored as</th></tr>
 *   <tr><td>{@link Host}</td><td>{@code <host>}</td></tr>
 *   <tr><td>{@link Global}</td><td>{@code @global}</td></tr>
 *   <tr><td>{@link Vip}</td><td>{@code @vip/<host>/<service>}</td></tr>
 *   <tr><td>{@link CniPool}</td><td>{@code @cni/<host>}</td></tr>
 *   <tr><td>{@link CniAttachment}</td><td>{@code @cni/<host>/<network>/<container>/<ifname>}</td></tr>
 * </table>
 */
public sealed interface Holder extends Comparable<Holder>
    permits Holder.Host, Holder.Global, Holder.Vip, Holder.CniPool, Holder.CniAttachment {

  /** The swarm allocator's holder (cluster-wide allocations of swarm-scope networks). */
  Global GLOBAL = new Global();

  /** The string the store keeps; {@link #parse} reads it back. */
  String format();

  /**
   * The host this holder belongs to: the host itself, a VIP's or CNI holder's host; empty for the
   * global holder.
   */
  Optional<HostId> host();

  /** What an error message calls it ("host h1", "the swarm allocator", ...). */
  String describe();

  /** Whether this is a host's own holder (a Docker container address or a host's pool). */
  default boolean isHost() {
    return this instanceof Host;
  }

  /**
   * Whether {@code other} is this holder or, for a host, one of its service VIPs (which live in the
   * host's blocks and leave with it).
   */
  default boolean isSelfOrVipOf(Holder other) {
    return other.equals(this)
        || this instanceof Host h && other instanceof Vip v && v.node().equals(h.id());
  }

  /** Orders as the stored strings do, so listings keep the order they had. */
  @Override
  default int compareTo(Holder o) {
    return format().compareTo(o.format());
  }

  static Host of(HostId host) {
    return new Host(host);
  }

  static Host of(String host) {
    return new Host(new HostId(host));
  }

  /** What a request in the global space (swarm) or a host's local space allocates under. */
  static Holder of(HostId host, boolean globalSpace) {
    return globalSpace ? GLOBAL : new Host(host);
  }

  /**
   * Parses a stored holder.
   *
   * @throws IllegalArgumentException naming the string and what is wrong with it
   */
  static Holder parse(String s) {
    if (s == null || s.isEmpty()) {
      throw malformed(s, "it is empty");
    }
    if (!s.startsWith("@")) {
      if (!Names.isValid(s, HostId.MAX)) {
        throw malformed(s, Names.problem("a host id", HostId.MAX, s));
      }
      return new Host(new HostId(s));
    }
    if (s.equals(Global.FORM)) {
      return GLOBAL;
    }
    if (s.startsWith(Vip.PREFIX)) {
      String rest = s.substring(Vip.PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        throw malformed(s, "a VIP holder is " + Vip.PREFIX + "<host>/<service>");
      }
      return new Vip(host(s, rest.substring(0, slash)), service(s, rest.substring(slash + 1)));
    }
    if (s.startsWith(CniPool.PREFIX)) {
      String rest = s.substring(CniPool.PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        return new CniPool(host(s, rest));
      }
      HostId host = host(s, rest.substring(0, slash));
      String path = rest.substring(slash + 1);
      AttachmentId id =
          AttachmentId.parsePath(path)
              .filter(a -> a.path().equals(path))
              .orElseThrow(
                  () ->
                      malformed(
                          s,
                          "a CNI attachment holder is "
                              + CniPool.PREFIX
                              + "<host>/<network>/<container>/<escaped ifname>"));
      return new CniAttachment(host, id);
    }
    throw malformed(s, "it is none of <host>, @global, @vip/..., @cni/...");
  }

  /** {@link #parse}, or empty for a string that is no holder. */
  static Optional<Holder> tryParse(String s) {
    try {
      return Optional.of(parse(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static HostId host(String s, String host) {
    if (!Names.isValid(host, HostId.MAX)) {
      throw malformed(s, Names.problem("its host id", HostId.MAX, host));
    }
    return new HostId(host);
  }

  private static String service(String s, String service) {
    if (!Names.isValid(service, Vip.MAX_SERVICE)) {
      throw malformed(s, Names.problem("its service id", Vip.MAX_SERVICE, service));
    }
    return service;
  }

  private static IllegalArgumentException malformed(String s, String why) {
    return new IllegalArgumentException("malformed holder \"" + s + "\": " + why);
  }

  /** A host: its containers' addresses, its pools, the blocks it owns. */
  record Host(HostId id) implements Holder {
    public Host {
      java.util.Objects.requireNonNull(id, "host id");
    }

    @Override
    public String format() {
      return id.value();
    }

    @Override
    public Optional<HostId> host() {
      return Optional.of(id);
    }

    @Override
    public String describe() {
      return "host " + id.value();
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /** The swarm allocator: cluster-wide allocations of swarm-scope networks. */
  record Global() implements Holder {
    static final String FORM = "@global";

    @Override
    public String format() {
      return FORM;
    }

    @Override
    public Optional<HostId> host() {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "the swarm allocator";
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /**
   * A service's VIP on one host (per-host mode); the service id makes a repeated request find it.
   */
  record Vip(HostId node, String service) implements Holder {
    static final String PREFIX = "@vip/";

    /** Swarm service ids are 25 alphanumerics; names are allowed too, without '/' or spaces. */
    public static final int MAX_SERVICE = 128;

    public Vip {
      java.util.Objects.requireNonNull(node, "host id");
      if (!Names.isValid(service, MAX_SERVICE)) {
        throw new IllegalArgumentException(Names.problem("service id", MAX_SERVICE, service));
      }
    }

    @Override
    public String format() {
      return PREFIX + node.value() + "/" + service;
    }

    @Override
    public Optional<HostId> host() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return "the VIP of service " + service + " on host " + node.value();
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /** The pools (and gateways) a host's CNI networks use. */
  record CniPool(HostId node) implements Holder {
    static final String PREFIX = "@cni/";

    public CniPool {
      java.util.Objects.requireNonNull(node, "host id");
    }

    @Override
    public String format() {
      return PREFIX + node.value();
    }

    @Override
    public Optional<HostId> host() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return "the gateway of host " + node.value() + "'s CNI networks";
    }

    @Override
    public String toString() {
      return format();
    }
  }

  /** One CNI attachment's addresses. */
  record CniAttachment(HostId node, AttachmentId id) implements Holder {
    public CniAttachment {
      java.util.Objects.requireNonNull(node, "host id");
      java.util.Objects.requireNonNull(id, "attachment id");
    }

    @Override
    public String format() {
      return CniPool.PREFIX + node.value() + "/" + id.path();
    }

    @Override
    public Optional<HostId> host() {
      return Optional.of(node);
    }

    @Override
    public String describe() {
      return "CNI container " + id.containerId() + " (" + id.ifname() + ") on host " + node.value();
    }

    @Override
    public String toString() {
      return format();
    }
  }
}
