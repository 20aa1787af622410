package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code show}: supernets → pools → host blocks → addresses, with utilization; with {@code
 * --node-id H}, only what host H holds (its pools, blocks, addresses, service VIPs and placeholder
 * mappings).
 */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Shows supernets, pools, host blocks and addresses in the store; with --node-id, only what that host holds.")
public final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin StoreOptions store = new StoreOptions();

  @Option(names = "--json", description = "Print one JSON object instead of a tree.")
  boolean json;

  @Option(
      names = "--svg",
      description =
          "Print the address map (supernets, pools coloured by utilization) as one SVG document.")
  boolean svg;

  @Option(
      names = "--daemon-url",
      defaultValue = "${env:IPAM_DAEMON_URL:-http://127.0.0.1:9587}",
      description =
          "When the embedded store is locked by a running daemon, ask that daemon (its --metrics address) (env IPAM_DAEMON_URL). Default: ${DEFAULT-VALUE}.")
  String daemonUrl;

  @Option(
      names = "--node-id",
      description =
          "Show only what this host holds: its pools, blocks, addresses (with its service VIPs) and placeholder mappings.")
  String nodeId;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<HostId> host = host();
    if (svg && (json || host.isPresent())) {
      throw new ParameterException(
          spec.commandLine(),
          "--svg draws the whole map: it goes with neither --json nor --node-id");
    }
    if (svg) {
      return svg(out);
    }
    if (!store.usesEtcd() && DaemonClient.locked(store)) {
      out.print(DaemonClient.get(spec, daemonUrl, "/v1/show" + query(host, json)));
      out.flush();
      return 0;
    }
    try (CliStore c = CliStore.open(spec, store)) {
      out.print(render(c.queries().snapshot(), c.store.describe(), host, json));
    } catch (StoreException e) {
      throw new ParameterException(
          spec.commandLine(), "cannot read the " + store.describe() + ": " + e.getMessage(), e);
    }
    out.flush();
    return 0;
  }

  private int svg(PrintWriter out) throws Exception {
    if (!store.usesEtcd() && DaemonClient.locked(store)) {
      out.print(DaemonClient.get(spec, daemonUrl, "/v1/map.svg"));
    } else {
      try (CliStore c = CliStore.open(spec, store)) {
        out.print(
            org.clusteripam.daemon.map.MapHttp.svg(c.queries().snapshot(), c.store.describe()));
      } catch (StoreException e) {
        throw new ParameterException(
            spec.commandLine(), "cannot read the " + store.describe() + ": " + e.getMessage(), e);
      }
    }
    out.flush();
    return 0;
  }

  private Optional<HostId> host() {
    if (nodeId == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new HostId(nodeId.strip()));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--node-id: " + e.getMessage(), e);
    }
  }

  /** The query string of {@code /v1/show} for these options. */
  static String query(Optional<HostId> host, boolean json) {
    List<String> parts = new ArrayList<>();
    host.ifPresent(h -> parts.add("node=" + URLEncoder.encode(h.value(), StandardCharsets.UTF_8)));
    if (json) {
      parts.add("json");
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  /**
   * The daemon's {@code GET /v1/show}: {@code json} and {@code node=H} in any order (the query as
   * the HTTP server decoded it; null: none).
   */
  public static String answer(
      String query, IpamEngine engine, org.clusteripam.core.store.StateStore store)
      throws Exception {
    boolean asJson = false;
    Optional<HostId> node = Optional.empty();
    for (String part : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      if (part.equals("json")) {
        asJson = true;
      } else if (part.startsWith("node=") && node.isEmpty()) {
        node = Optional.of(new HostId(part.substring("node=".length())));
      } else {
        throw new IllegalArgumentException(
            "unknown query \""
                + query
                + "\": use /v1/show, /v1/show?json, /v1/show?node=HOST or /v1/show?node=HOST&json");
      }
    }
    return render(engine.queries().snapshot(), store.describe(), node, asJson);
  }

  /** The tree or JSON of the store's current state. */
  public static String render(
      org.clusteripam.core.store.StateStore store,
      org.clusteripam.core.engine.IpamConfig config,
      boolean json)
      throws Exception {
    return render(
        new IpamQueries(store, config).snapshot(), store.describe(), Optional.empty(), json);
  }

  /**
   * The tree or JSON of snapshot {@code s} of the store {@code where}: everything, or what {@code
   * host} holds; with the CNI attachments.
   */
  static String render(IpamQueries.Snapshot s, String where, Optional<HostId> host, boolean json)
      throws Exception {
    String rendered;
    if (host.isPresent()) {
      rendered = renderHost(s, where, host.get(), json);
    } else {
      rendered = json ? toJson(s, where) : text(s, where);
    }
    return CniShow.append(rendered, json, CniShow.of(s, host));
  }

  static String text(IpamQueries.Snapshot s, String where) {
    StringBuilder b = new StringBuilder();
    b.append("store ").append(where).append(" at revision ").append(s.revision()).append('\n');
    for (IpamQueries.SupernetView sn : s.supernets()) {
      b.append("supernet ")
          .append(sn.supernet())
          .append(" (/")
          .append(sn.networkLength())
          .append(" pools: ")
          .append(sn.pools().size())
          .append(" of ")
          .append(sn.poolSlots())
          .append(")\n");
      sn.pools().forEach(p -> pool(b, p));
    }
    if (!s.outside().isEmpty()) {
      b.append("outside the supernets\n");
      s.outside().forEach(p -> pool(b, p));
    }
    return b.toString();
  }

  private static void pool(StringBuilder b, IpamQueries.PoolView p) {
    poolLine(b, p);
    for (IpamQueries.BlockView bl : p.blocks()) {
      block(b, bl);
    }
  }

  private static void poolLine(StringBuilder b, IpamQueries.PoolView p) {
    b.append("  pool ").append(p.prefix()).append(p.dynamic() ? " dynamic" : " static");
    p.name().ifPresent(n -> b.append(" name=").append(n));
    p.ipRange().ifPresent(r -> b.append(" ip-range=").append(r));
    p.placeholders().ifPresent(r -> b.append(" per-host placeholders=").append(r));
    p.gateway().ifPresent(g -> b.append(" gateway=").append(g));
    b.append(" holders=")
        .append(names(p.holders()))
        .append(" used ")
        .append(p.used())
        .append('/')
        .append(p.size())
        .append(String.format(Locale.ROOT, " (%.2f%%)", p.utilization() * 100))
        .append('\n');
  }

  private static void block(StringBuilder b, IpamQueries.BlockView bl) {
    b.append("    block ")
        .append(bl.block())
        .append(" host=")
        .append(bl.owner().map(Holder::format).orElse("-"))
        .append(" used ")
        .append(bl.used())
        .append('/')
        .append(bl.size())
        .append('\n');
    for (IpamQueries.AddressView a : bl.addresses()) {
      b.append("      ")
          .append(a.address())
          .append(' ')
          .append(a.kind().name().toLowerCase(Locale.ROOT))
          .append(" held by ")
          .append(names(a.holders()))
          .append('\n');
    }
  }

  // ---------------------------------------------------------------- one host's holdings

  /**
   * A pool as host H sees it: the pool's own line, only the blocks H owns or holds an address in
   * (each with the block's total use but only H's addresses), and H's placeholder mappings.
   */
  record HostPool(IpamQueries.PoolView pool, List<PlaceholderMapping> placeholders) {}

  /** Everything host H holds at one revision, in the order of {@code show}. */
  record HostView(HostId host, long revision, List<HostPool> pools) {
    long blocks() {
      return pools.stream()
          .flatMap(p -> p.pool().blocks().stream())
          .filter(b -> b.isOwnedBy(Holder.of(host)))
          .count();
    }

    long addresses() {
      return pools.stream()
          .flatMap(p -> p.pool().blocks().stream())
          .mapToLong(b -> b.addresses().size())
          .sum();
    }

    long serviceVips() {
      return pools.stream().mapToLong(p -> p.pool().serviceVips()).sum();
    }

    long placeholders() {
      return pools.stream().mapToLong(p -> p.placeholders().size()).sum();
    }
  }

  /**
   * Whether {@code host} holds {@code a}: as a holder, or as the host of a per-host service VIP.
   */
  private static boolean holds(IpamQueries.AddressView a, HostId host) {
    return a.holders().contains(Holder.of(host))
        || a.vipHost().filter(host.value()::equals).isPresent();
  }

  /** Holders as the store keeps them, comma-separated, in their order. */
  private static String names(java.util.Collection<Holder> holders) {
    return String.join(",", holders.stream().map(Holder::format).toList());
  }

  static HostView hostView(IpamQueries.Snapshot s, HostId host) {
    Holder h = Holder.of(host);
    List<HostPool> pools = new ArrayList<>();
    for (IpamQueries.PoolView p : s.allPools()) {
      List<IpamQueries.BlockView> blocks = new ArrayList<>();
      for (IpamQueries.BlockView b : p.blocks()) {
        List<IpamQueries.AddressView> mine =
            b.addresses().stream().filter(a -> holds(a, host)).toList();
        if (b.isOwnedBy(h) || !mine.isEmpty()) {
          blocks.add(b.withAddresses(mine));
        }
      }
      List<PlaceholderMapping> placeholders =
          p.mappings().stream().filter(m -> m.host().equals(host)).toList();
      if (p.holderRevisions().containsKey(h) || !blocks.isEmpty() || !placeholders.isEmpty()) {
        pools.add(new HostPool(p.with(blocks, placeholders), placeholders));
      }
    }
    return new HostView(host, s.revision(), pools);
  }

  /** Host {@code host}'s holdings in the snapshot, as text or JSON. */
  static String renderHost(IpamQueries.Snapshot s, String where, HostId host, boolean json)
      throws Exception {
    HostView v = hostView(s, host);
    return json ? hostJson(v, where) : hostText(v, where);
  }

  static String hostText(HostView v, String where) {
    StringBuilder b = new StringBuilder();
    b.append("store ").append(where).append(" at revision ").append(v.revision()).append('\n');
    b.append("host ")
        .append(v.host())
        .append(" holds ")
        .append(count(v.pools().size(), "pool"))
        .append(", ")
        .append(count(v.blocks(), "block"))
        .append(", ")
        .append(count(v.addresses(), "address"))
        .append(" (")
        .append(count(v.serviceVips(), "service VIP"))
        .append("), ")
        .append(count(v.placeholders(), "placeholder"))
        .append('\n');
    for (HostPool hp : v.pools()) {
      pool(b, hp.pool());
      for (PlaceholderMapping m : hp.placeholders()) {
        b.append("    placeholder ")
            .append(m.placeholder())
            .append(" -> ")
            .append(m.actual())
            .append('\n');
      }
    }
    return b.toString();
  }

  private static String count(long n, String what) {
    return n + " " + (n == 1 ? what : what.endsWith("s") ? what + "es" : what + "s");
  }

  static String hostJson(HostView v, String where) throws Exception {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = m.createObjectNode();
    o.put("store", where);
    o.put("revision", v.revision());
    o.put("host", v.host().value());
    ObjectNode counts = o.putObject("counts");
    counts.put("pools", v.pools().size());
    counts.put("blocks", v.blocks());
    counts.put("addresses", v.addresses());
    counts.put("serviceVips", v.serviceVips());
    counts.put("placeholders", v.placeholders());
    ArrayNode pools = o.putArray("pools");
    for (HostPool hp : v.pools()) {
      ObjectNode n = pools.addObject();
      pool(n, hp.pool());
      ArrayNode ps = n.putArray("placeholders");
      for (PlaceholderMapping pm : hp.placeholders()) {
        ObjectNode x = ps.addObject();
        x.put("placeholder", pm.placeholder().toString());
        x.put("actual", pm.actual().toString());
        x.put("sinceMillis", pm.sinceMillis());
      }
    }
    return m.writeValueAsString(o) + System.lineSeparator();
  }

  static String toJson(IpamQueries.Snapshot s, String where) throws Exception {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = m.createObjectNode();
    o.put("store", where);
    o.put("revision", s.revision());
    ArrayNode sns = o.putArray("supernets");
    for (IpamQueries.SupernetView sn : s.supernets()) {
      ObjectNode n = sns.addObject();
      n.put("supernet", sn.supernet().toString());
      n.put("networkPrefix", sn.networkLength());
      n.put("poolSlots", sn.poolSlots());
      ArrayNode pools = n.putArray("pools");
      sn.pools().forEach(p -> pool(pools.addObject(), p));
    }
    ArrayNode outside = o.putArray("outside");
    s.outside().forEach(p -> pool(outside.addObject(), p));
    return m.writeValueAsString(o) + System.lineSeparator();
  }

  private static void pool(ObjectNode n, IpamQueries.PoolView p) {
    n.put("pool", p.prefix().toString());
    n.put("dynamic", p.dynamic());
    p.name().ifPresent(x -> n.put("name", x));
    p.ipRange().ifPresent(x -> n.put("ipRange", x.toString()));
    p.placeholders()
        .ifPresent(x -> n.put("addressing", "per-host").put("placeholders", x.toString()));
    p.gateway().ifPresent(x -> n.put("gateway", x.toString()));
    ArrayNode holders = n.putArray("holders");
    p.holders().forEach(x -> holders.add(x.format()));
    n.put("size", p.size());
    n.put("used", p.used());
    n.put("utilization", p.utilization());
    ArrayNode blocks = n.putArray("blocks");
    for (IpamQueries.BlockView bl : p.blocks()) {
      ObjectNode b = blocks.addObject();
      b.put("block", bl.block().toString());
      b.put("host", bl.owner().map(Holder::format).orElse(""));
      b.put("size", bl.size());
      b.put("used", bl.used());
      ArrayNode as = b.putArray("addresses");
      for (IpamQueries.AddressView a : bl.addresses()) {
        ObjectNode x = as.addObject();
        x.put("address", a.address().toString());
        x.put("kind", a.kind().name().toLowerCase(Locale.ROOT));
        ArrayNode h = x.putArray("holders");
        a.holders().forEach(holder -> h.add(holder.format()));
        x.put("sinceMillis", a.sinceMillis());
      }
    }
  }
}
