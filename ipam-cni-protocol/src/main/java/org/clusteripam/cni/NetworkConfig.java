package org.clusteripam.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.cni.CniIpam.GcEntry;
import org.clusteripam.core.cni.PoolSpec;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * The network configuration a runtime (or the interface plugin delegating to us) writes on stdin:
 * the whole plugin config, of which we read {@code cniVersion}, {@code name}, {@code ipam}, {@code
 * args.cni.ips}, {@code runtimeConfig.ips}, {@code prevResult} and GC's list of valid attachments.
 * Each part is parsed when asked for, so DEL needs only a name and a version.
 */
public final class NetworkConfig {
  static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode root;
  private final CniVersion version;
  private final String versionText;

  private NetworkConfig(JsonNode root, CniVersion version, String versionText) {
    this.root = root;
    this.version = version;
    this.versionText = versionText;
  }

  /** Parses stdin; a version outside {@link CniVersion} is refused (code 1). */
  public static NetworkConfig parse(byte[] stdin) {
    JsonNode root = tree(stdin);
    String v =
        text(root, "cniVersion")
            .orElseThrow(
                () ->
                    new CniFailure(
                        CniFailure.INVALID_CONFIG, "the network config has no cniVersion"));
    CniVersion cv =
        CniVersion.parse(v)
            .orElseThrow(
                () ->
                    new CniFailure(
                        CniFailure.INCOMPATIBLE_VERSION,
                        "incompatible CNI version " + v,
                        "cluster-ipam supports " + String.join(", ", CniVersion.supported())));
    return new NetworkConfig(root, cv, v);
  }

  /** The cniVersion of stdin if it has one (VERSION takes anything). */
  public static Optional<String> versionOf(byte[] stdin) {
    if (stdin.length == 0) {
      return Optional.empty();
    }
    try {
      return text(JSON.readTree(stdin), "cniVersion");
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static JsonNode tree(byte[] stdin) {
    JsonNode root;
    try {
      root = JSON.readTree(stdin);
    } catch (IOException e) {
      throw new CniFailure(
          CniFailure.DECODE_FAILURE, "the network config on stdin is not JSON", e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new CniFailure(
          CniFailure.DECODE_FAILURE, "the network config on stdin is not a JSON object");
    }
    return root;
  }

  public CniVersion version() {
    return version;
  }

  public String versionText() {
    return versionText;
  }

  /** The CNI network name: part of every attachment's identity. */
  public String name() {
    return text(root, "name")
        .orElseThrow(
            () -> new CniFailure(CniFailure.INVALID_CONFIG, "the network config has no name"));
  }

  private JsonNode ipam() {
    JsonNode ipam = root.get("ipam");
    if (ipam == null || !ipam.isObject()) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, "the network config has no ipam object");
    }
    return ipam;
  }

  /** The pool name: {@code ipam.network}, else the CNI network name. */
  public String poolName() {
    return text(ipam(), "network").orElseGet(this::name);
  }

  /**
   * One pool per family: {@code ipam.ranges} (host-local's form, one range per set), or the single
   * range {@code subnet}/{@code rangeStart}/{@code rangeEnd}/{@code gateway}, or a dynamic IPv4
   * pool ({@code "dualStack": true} adds a dynamic IPv6 one).
   */
  public List<PoolSpec> pools() {
    JsonNode ipam = ipam();
    String pool = poolName();
    List<PoolSpec> out = new ArrayList<>();
    JsonNode ranges = ipam.get("ranges");
    boolean single =
        ipam.has("subnet") || ipam.has("rangeStart") || ipam.has("rangeEnd") || ipam.has("gateway");
    try {
      if (ranges != null) {
        if (single) {
          throw new CniFailure(
              CniFailure.INVALID_CONFIG,
              "ipam has both ranges and subnet/rangeStart/rangeEnd/gateway: use one form");
        }
        if (!ranges.isArray() || ranges.isEmpty()) {
          throw new CniFailure(
              CniFailure.INVALID_CONFIG, "ipam.ranges must be a non-empty array of range sets");
        }
        for (JsonNode set : ranges) {
          if (!set.isArray() || set.size() != 1 || !set.get(0).isObject()) {
            throw new CniFailure(
                CniFailure.INVALID_CONFIG,
                "each ipam.ranges entry must be a list of exactly one range object, got " + set,
                "cluster-ipam serves one pool per family; give a larger subnet instead of several ranges");
          }
          out.add(range(set.get(0), pool));
        }
      } else if (single) {
        out.add(range(ipam, pool));
      } else {
        out.add(PoolSpec.dynamic(IpFamily.IPV4, pool));
        if (ipam.path("dualStack").asBoolean(false)) {
          out.add(PoolSpec.dynamic(IpFamily.IPV6, pool));
        }
      }
    } catch (InvalidRequestException e) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, e.getMessage());
    }
    if (out.stream().map(PoolSpec::family).distinct().count() != out.size()) {
      throw new CniFailure(
          CniFailure.INVALID_CONFIG,
          "ipam.ranges has two ranges of one family: cluster-ipam serves one pool per family");
    }
    return out;
  }

  private static PoolSpec range(JsonNode r, String pool) {
    Optional<IpPrefix> subnet = text(r, "subnet").map(s -> prefix("subnet", s));
    Optional<IpAddress> start = text(r, "rangeStart").map(s -> address("rangeStart", s));
    Optional<IpAddress> end = text(r, "rangeEnd").map(s -> address("rangeEnd", s));
    Optional<IpAddress> gateway = text(r, "gateway").map(s -> address("gateway", s));
    if (subnet.isEmpty()) {
      if (start.isPresent() || end.isPresent() || gateway.isPresent()) {
        throw new CniFailure(
            CniFailure.INVALID_CONFIG, "rangeStart, rangeEnd and gateway need a subnet");
      }
      throw new CniFailure(CniFailure.INVALID_CONFIG, "a range needs a subnet");
    }
    IpPrefix sn = subnet.get();
    if (!sn.network().equals(sn.network().maskTo(sn.length()))) {
      throw new CniFailure(
          CniFailure.INVALID_CONFIG, "subnet " + r.get("subnet").asText() + " has host bits set");
    }
    Optional<IpPrefix> ipRange = Optional.empty();
    if (start.isPresent() || end.isPresent()) {
      ipRange = Optional.of(IpRanges.asPrefix(sn, start.orElse(sn.first()), end.orElse(sn.last())));
    }
    return new PoolSpec(sn.family(), pool, subnet, ipRange, gateway);
  }

  /**
   * Routes to return, as configured ({@code ipam.routes}); each {@code dst} a CIDR, {@code gw} an
   * address.
   */
  public ArrayNode routes() {
    JsonNode routes = ipam().get("routes");
    ArrayNode out = JSON.createArrayNode();
    if (routes == null || routes.isNull()) {
      return out;
    }
    if (!routes.isArray()) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, "ipam.routes must be an array");
    }
    for (JsonNode r : routes) {
      if (!r.isObject() || text(r, "dst").isEmpty()) {
        throw new CniFailure(CniFailure.INVALID_CONFIG, "each route needs a dst, got " + r);
      }
      prefix("route dst", r.get("dst").asText());
      text(r, "gw").ifPresent(g -> address("route gw", g));
      out.add(r);
    }
    return out;
  }

  /** {@code ipam.dns}, an object, or empty. */
  public Optional<ObjectNode> dns() {
    JsonNode dns = ipam().get("dns");
    if (dns == null || dns.isNull()) {
      return Optional.empty();
    }
    if (!dns.isObject()) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, "ipam.dns must be an object");
    }
    return Optional.of((ObjectNode) dns);
  }

  /**
   * Requested addresses: {@code IP=} of CNI_ARGS (comma-separated), {@code args.cni.ips}, {@code
   * runtimeConfig.ips}; each an address or CIDR (the prefix length is ignored); duplicates once.
   */
  public List<IpAddress> requested(Map<String, String> cniArgs) {
    Set<IpAddress> out = new LinkedHashSet<>();
    String ip = cniArgs.get("IP");
    if (ip != null && !ip.isEmpty()) {
      for (String s : ip.split(",")) {
        out.add(requestedAddress("CNI_ARGS IP", s.trim(), CniFailure.INVALID_ENVIRONMENT));
      }
    }
    addAll(out, root.path("args").path("cni").get("ips"), "args.cni.ips");
    addAll(out, root.path("runtimeConfig").get("ips"), "runtimeConfig.ips");
    return List.copyOf(out);
  }

  private static void addAll(Set<IpAddress> out, JsonNode ips, String where) {
    if (ips == null || ips.isNull()) {
      return;
    }
    if (!ips.isArray()) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, where + " must be an array of addresses");
    }
    for (JsonNode n : ips) {
      out.add(requestedAddress(where, n.asText(), CniFailure.INVALID_CONFIG));
    }
  }

  private static IpAddress requestedAddress(String where, String s, int code) {
    String a = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
    try {
      return IpAddress.parse(a);
    } catch (IllegalArgumentException e) {
      throw new CniFailure(code, where + ": \"" + s + "\" is not an IP address");
    }
  }

  /** The addresses of {@code prevResult.ips}, when stdin has a prevResult. */
  public Optional<Set<IpAddress>> prevResultAddresses() {
    JsonNode prev = root.get("prevResult");
    if (prev == null || prev.isNull()) {
      return Optional.empty();
    }
    Set<IpAddress> out = new LinkedHashSet<>();
    for (JsonNode ip : prev.path("ips")) {
      text(ip, "address")
          .ifPresent(s -> out.add(requestedAddress("prevResult", s, CniFailure.INVALID_CONFIG)));
    }
    return Optional.of(out);
  }

  /**
   * GC's still-valid attachments: the spec's {@code cni.dev/valid-attachments} and libcni's {@code
   * cni.dev/attachments} (both are sent; the union counts). Empty when neither key is there.
   */
  public Optional<Set<GcEntry>> validAttachments() {
    Set<GcEntry> out = new LinkedHashSet<>();
    boolean any = false;
    for (String key : List.of("cni.dev/valid-attachments", "cni.dev/attachments")) {
      JsonNode list = root.get(key);
      if (list == null || list.isNull()) {
        continue;
      }
      if (!list.isArray()) {
        throw new CniFailure(CniFailure.INVALID_CONFIG, key + " must be an array");
      }
      any = true;
      for (JsonNode a : list) {
        Optional<String> c = text(a, "containerID");
        Optional<String> i = text(a, "ifname");
        if (c.isEmpty() || i.isEmpty()) {
          throw new CniFailure(
              CniFailure.INVALID_CONFIG,
              key + ": each entry needs containerID and ifname, got " + a);
        }
        out.add(new GcEntry(c.get(), i.get()));
      }
    }
    return any ? Optional.of(out) : Optional.empty();
  }

  static Optional<String> text(JsonNode n, String field) {
    JsonNode f = n.get(field);
    if (f == null || f.isNull()) {
      return Optional.empty();
    }
    if (!f.isTextual()) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, field + " must be a string, got " + f);
    }
    return Optional.of(f.asText());
  }

  private static IpPrefix prefix(String what, String s) {
    try {
      return IpPrefix.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, what + " \"" + s + "\" is not a CIDR");
    }
  }

  private static IpAddress address(String what, String s) {
    try {
      return IpAddress.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CniFailure(CniFailure.INVALID_CONFIG, what + " \"" + s + "\" is not an IP address");
    }
  }
}
