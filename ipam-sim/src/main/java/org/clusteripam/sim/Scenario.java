package org.clusteripam.sim;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The workloads, in order, on one fleet: join storm (every host RequestPools one shared subnet at
 * once, then K RequestAddress each), steady churn, a host dying and being reclaimed, leaving,
 * blocks filling up and borrowing, pool create and delete storms. After each step the store is
 * checked against the replies (no duplicate, every address in the pool and in a block its holder
 * owns, the dead host's holds gone, nothing left once everyone left); what fails a check goes to
 * {@link Result#violations}.
 */
final class Scenario {
  /**
   * The shared pool of the join storm: a /16 as a swarm network or {@code --ipam-opt network=NAME}
   * on every node.
   */
  static final IpPrefix JOIN_POOL = IpPrefix.parse("172.16.0.0/16");

  /** Base of the pool that fills up: sized to half as many blocks as hosts. */
  static final IpAddress FILL_BASE = IpAddress.parse("172.20.0.0");

  /** Which steps run and how big they are. */
  record Settings(
      Set<String> workloads,
      int allocs,
      double churnSeconds,
      int churnExtra,
      int deadHosts,
      int poolsPerHost) {
    boolean has(String w) {
      return workloads.contains(w);
    }
  }

  /** The rows printed, the checks that failed and notes (e.g. how many addresses were borrowed). */
  record Result(List<Row> rows, List<String> violations, List<String> notes) {}

  private final Fleet fleet;
  private final Settings s;
  private final java.io.PrintStream out;
  private final List<String> notes = new ArrayList<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final Ledger ledger = new Ledger();

  /** Addresses each host holds in the join pool; each list is touched only by its host's task. */
  private final Map<HostId, List<IpAddress>> held = new ConcurrentHashMap<>();

  /** Hosts whose join succeeded: only they allocate, churn and leave the join pool. */
  private final Set<HostId> joined = ConcurrentHashMap.newKeySet();

  private Scenario(Fleet fleet, Settings s, java.io.PrintStream out) {
    this.fleet = fleet;
    this.s = s;
    this.out = out;
  }

  /**
   * Runs the steps, printing each row (a markdown table line) and note to {@code out} as it comes.
   */
  static Result run(Fleet fleet, Settings s, java.io.PrintStream out) {
    Scenario sc = new Scenario(fleet, s, out);
    sc.all();
    return new Result(List.copyOf(sc.rows), List.copyOf(sc.violations), List.copyOf(sc.notes));
  }

  private void add(Row r) {
    rows.add(r);
    out.println(r.markdown());
    out.flush();
  }

  private void note(String n) {
    notes.add(n);
  }

  /**
   * Something left in the store: a violation if every operation succeeded, else what the failed
   * releases left behind.
   */
  private void leftOver(String what) {
    if (rows.stream().allMatch(r -> r.failures() == 0)) {
      violations.add(what);
    } else {
      note(what + " (after failed operations)");
    }
  }

  private static AddressRequest any(SimHost h, PoolId pool) {
    return new AddressRequest(h.id(), pool, Optional.empty(), AddressKind.ENDPOINT, Map.of());
  }

  private static PoolRequest join(SimHost h, IpPrefix subnet) {
    return new PoolRequest(
        h.id(),
        h.ipam().addressSpaces().local(),
        Optional.of(subnet),
        Optional.empty(),
        Map.of(),
        false);
  }

  private void all() {
    PoolId pool = joinStorm();
    if (pool == null) {
      return;
    }
    if (s.has("churn")) {
      churn(pool);
    }
    if (s.has("reclaim")) {
      reclaim(pool);
    }
    leave(pool);
    if (s.has("fill")) {
      fill();
    }
    if (s.has("pools")) {
      poolStorm();
    }
    List<String> left =
        snapshot().allPools().stream().map(p -> p.prefix() + " held by " + p.holders()).toList();
    if (!left.isEmpty()) {
      leftOver(
          "pools left after every host released everything: "
              + left.size()
              + ", e.g. "
              + left.subList(0, Math.min(3, left.size())));
    }
  }

  /** A snapshot for the checks; a busy store gets a few tries (a check must not end the run). */
  private IpamQueries.Snapshot snapshot() {
    for (int attempt = 1; ; attempt++) {
      try {
        return fleet.hosts().get(0).engine().queries().snapshot();
      } catch (org.clusteripam.core.store.StoreException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private Optional<IpamQueries.PoolView> poolView(IpPrefix p) {
    return snapshot().allPools().stream().filter(v -> v.prefix().equals(p)).findFirst();
  }

  // ------------------------------------------------------------------ join storm

  private PoolId joinStorm() {
    Map<HostId, PoolId> ids = new ConcurrentHashMap<>();
    add(
        Phase.run(
            "join",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              PoolGrant g = p.op(() -> h.ipam().requestPool(join(h, JOIN_POOL)));
              if (g != null) {
                ids.put(h.id(), g.id());
                joined.add(h.id());
                if (!g.pool().equals(JOIN_POOL)) {
                  p.fail(h.id() + " got pool " + g.pool() + " instead of " + JOIN_POOL);
                }
              }
            }));
    if (ids.values().stream().distinct().count() > 1) {
      violations.add(
          "hosts got different pool ids for "
              + JOIN_POOL
              + ": "
              + new java.util.TreeSet<>(ids.values().stream().map(PoolId::toString).toList()));
    }
    PoolId pool = ids.values().stream().findFirst().orElse(null);
    if (pool == null) {
      violations.add("no host joined " + JOIN_POOL);
      return null;
    }
    add(
        Phase.run(
            "join-alloc",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              List<IpAddress> mine = held.computeIfAbsent(h.id(), k -> new ArrayList<>());
              if (!joined.contains(h.id())) {
                return; // its join failed: counted there
              }
              for (int i = 0; i < s.allocs(); i++) {
                IpAddress a = p.op(() -> h.ipam().requestAddress(any(h, pool)).address());
                if (a != null) {
                  mine.add(a);
                  if (!ledger.granted(a, h.id())) {
                    p.fail("duplicate: " + ledger.duplicates.get(ledger.duplicates.size() - 1));
                  }
                }
              }
            }));
    checkPlacement(JOIN_POOL, true);
    return pool;
  }

  /**
   * Every address the replies gave is in the store, inside the pool, held by its host, in a block
   * that host owns (unless borrowing is allowed).
   */
  private void checkPlacement(IpPrefix subnet, boolean ownBlocksOnly) {
    if (!ledger.duplicates.isEmpty()) {
      violations.add(
          ledger.duplicates.size() + " duplicate grants, first: " + ledger.duplicates.get(0));
    }
    Optional<IpamQueries.PoolView> pv = poolView(subnet);
    if (pv.isEmpty()) {
      if (!ledger.holder.isEmpty()) {
        violations.add(
            "pool "
                + subnet
                + " is missing from the store while "
                + ledger.holder.size()
                + " addresses are held");
      }
      return;
    }
    Map<IpAddress, String[]> state = new HashMap<>();
    for (IpamQueries.BlockView b : pv.get().blocks()) {
      for (IpamQueries.AddressView a : b.addresses()) {
        state.put(
            a.address(),
            new String[] {
              String.join(",", a.holders().stream().map(Holder::format).toList()),
              b.owner().map(Holder::format).orElse(""),
              b.block().toString()
            });
        if (!b.block().contains(a.address())) {
          violations.add(a.address() + " listed in block " + b.block() + " outside it");
        }
      }
    }
    int wrong = 0;
    for (Map.Entry<IpAddress, HostId> e : ledger.holder.entrySet()) {
      IpAddress a = e.getKey();
      String h = e.getValue().value();
      String[] st = state.get(a);
      String problem = null;
      if (!subnet.contains(a)) {
        problem = a + " given to " + h + " is outside pool " + subnet;
      } else if (st == null) {
        problem = a + " given to " + h + " is not allocated in the store";
      } else if (!st[0].equals(h)) {
        problem = a + " given to " + h + " is held by " + st[0] + " in the store";
      } else if (ownBlocksOnly && !st[1].equals(h)) {
        problem = a + " given to " + h + " is in block " + st[2] + " owned by " + st[1];
      }
      if (problem != null && wrong++ < 5) {
        violations.add(problem);
      }
    }
    if (wrong > 5) {
      violations.add((wrong - 5) + " more misplaced addresses in " + subnet);
    }
    long extra = state.keySet().stream().filter(a -> !ledger.holder.containsKey(a)).count();
    long failed = rows.stream().mapToLong(Row::failures).sum();
    if (extra > failed) {
      violations.add(
          extra
              + " addresses allocated in "
              + subnet
              + " that no reply handed out (more than the "
              + failed
              + " failed calls explain)");
    } else if (extra > 0) {
      // a call that timed out after sending may have committed: its outcome is unknown to the
      // caller
      note(
          extra
              + " addresses allocated in "
              + subnet
              + " by calls that failed with an unknown outcome");
    }
  }

  // ------------------------------------------------------------------ churn

  private void churn(PoolId pool) {
    long end = System.nanoTime() + (long) (s.churnSeconds() * 1e9);
    add(
        Phase.run(
            "churn",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              List<IpAddress> mine = held.get(h.id());
              if (!joined.contains(h.id())) {
                return;
              }
              int max = s.allocs() + s.churnExtra();
              ThreadLocalRandom rnd = ThreadLocalRandom.current();
              while (System.nanoTime() < end) {
                if (mine.size() < max && (mine.isEmpty() || rnd.nextBoolean())) {
                  IpAddress a = p.op(() -> h.ipam().requestAddress(any(h, pool)).address());
                  if (a != null) {
                    mine.add(a);
                    if (!ledger.granted(a, h.id())) {
                      p.fail("duplicate: " + ledger.duplicates.get(ledger.duplicates.size() - 1));
                    }
                  }
                } else {
                  IpAddress a = mine.remove(rnd.nextInt(mine.size()));
                  ledger.releasing(a);
                  if (!p.run(() -> h.ipam().releaseAddress(h.id(), pool, a))) {
                    mine.add(a); // it may still be held: release it again later
                    ledger.granted(a, h.id());
                  }
                }
              }
            }));
    checkPlacement(JOIN_POOL, true);
  }

  // ------------------------------------------------------------------ a host dies

  /**
   * Hosts die without releasing anything; an operator reclaims each as {@code reclaim-host} does;
   * then they come back empty.
   */
  private void reclaim(PoolId pool) {
    List<SimHost> hosts = fleet.hosts();
    int dead = Math.min(s.deadHosts(), hosts.size() - 1);
    List<SimHost> victims = hosts.subList(1, 1 + dead);
    victims.forEach(fleet::kill);
    SimHost operator = fleet.operator(new HostId("operator"));
    add(
        Phase.run(
            "reclaim",
            fleet,
            List.of(operator),
            (op, p) -> {
              for (SimHost v : victims) {
                IpamEngine asDead = IpamEngine.open(op.store(), fleet.config(), Clock.systemUTC());
                IpamQueries.Snapshot snap = asDead.queries().snapshot();
                for (IpamQueries.PoolView pv : snap.allPools()) {
                  for (IpamQueries.BlockView b : pv.blocks()) {
                    for (IpamQueries.AddressView a : b.addresses()) {
                      if (a.holders().contains(Holder.of(v.id()))) {
                        p.run(() -> asDead.driver().releaseAddress(v.id(), pool, a.address()));
                      }
                    }
                  }
                  if (pv.holders().contains(Holder.of(v.id()))) {
                    p.run(() -> asDead.driver().releasePool(v.id(), pool));
                  }
                }
                p.op(() -> asDead.driver().releaseEmptyBlocks(v.id()));
              }
            }));
    for (SimHost v : victims) {
      held.get(v.id()).forEach(ledger::releasing);
      held.put(v.id(), new ArrayList<>());
      joined.remove(v.id());
    }
    Optional<IpamQueries.PoolView> pv = poolView(JOIN_POOL);
    for (SimHost v : victims) {
      String id = v.id().value();
      Holder holder = Holder.of(v.id());
      if (pv.isPresent() && pv.get().holders().contains(holder)) {
        violations.add("reclaimed " + id + " still holds pool " + JOIN_POOL);
      }
      pv.ifPresent(
          view ->
              view.blocks()
                  .forEach(
                      b -> {
                        if (b.isOwnedBy(holder)) {
                          violations.add(
                              "reclaimed "
                                  + id
                                  + " still owns block "
                                  + b.block()
                                  + " ("
                                  + b.used()
                                  + " used)");
                        }
                        b.addresses().stream()
                            .filter(a -> a.holders().contains(holder))
                            .findFirst()
                            .ifPresent(
                                a ->
                                    violations.add(
                                        "reclaimed " + id + " still holds " + a.address()));
                      }));
      fleet.restart(v);
    }
    checkPlacement(JOIN_POOL, true);
  }

  // ------------------------------------------------------------------ leave

  private void leave(PoolId pool) {
    add(
        Phase.run(
            "leave",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              List<IpAddress> mine = held.getOrDefault(h.id(), new ArrayList<>());
              if (!joined.contains(h.id())) {
                return;
              }
              for (IpAddress a : List.copyOf(mine)) {
                ledger.releasing(a);
                if (p.run(() -> h.ipam().releaseAddress(h.id(), pool, a))) {
                  mine.remove(a);
                }
              }
              p.run(() -> h.ipam().releasePool(h.id(), pool));
            }));
    poolView(JOIN_POOL)
        .ifPresent(
            v ->
                leftOver(
                    "pool "
                        + JOIN_POOL
                        + " is still in the store after every host left (holders "
                        + v.holders().size()
                        + ", "
                        + v.used()
                        + " addresses used)"));
  }

  // ------------------------------------------------------------------ blocks fill up, hosts borrow

  private void fill() {
    int n = fleet.hosts().size();
    int blocks = Integer.highestOneBit(Math.max(2, n / 2) * 2 - 1);
    int blockLength = fleet.config().v4().blockLength();
    int length = blockLength - Integer.numberOfTrailingZeros(blocks);
    IpPrefix subnet = IpPrefix.of(FILL_BASE, length);
    int usable = (1 << (32 - blockLength)) - 2;
    int perHost = Math.max(1, (int) (0.8 * blocks * usable / n));
    Map<HostId, PoolId> ids = new ConcurrentHashMap<>();
    Map<HostId, List<IpAddress>> got = new ConcurrentHashMap<>();
    Ledger fillLedger = new Ledger();
    add(
        Phase.run(
            "fill-join",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              PoolGrant g = p.op(() -> h.ipam().requestPool(join(h, subnet)));
              if (g != null) {
                ids.put(h.id(), g.id());
              }
            }));
    add(
        Phase.run(
            "fill (" + blocks + " blocks, " + perHost + "/host)",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              PoolId id = ids.get(h.id());
              if (id == null) {
                return; // its join failed: counted there
              }
              List<IpAddress> mine = got.computeIfAbsent(h.id(), k -> new ArrayList<>());
              for (int i = 0; i < perHost; i++) {
                IpAddress a = p.op(() -> h.ipam().requestAddress(any(h, id)).address());
                if (a != null) {
                  mine.add(a);
                  if (!fillLedger.granted(a, h.id())) {
                    p.fail(
                        "duplicate: "
                            + fillLedger.duplicates.get(fillLedger.duplicates.size() - 1));
                  }
                }
              }
            }));
    Optional<IpamQueries.PoolView> pv = poolView(subnet);
    long borrowed =
        pv.map(
                v ->
                    v.blocks().stream()
                        .mapToLong(
                            b ->
                                b.addresses().stream()
                                    .filter(
                                        a ->
                                            b.owner().isEmpty()
                                                || !a.holders().contains(b.owner().get()))
                                    .count())
                        .sum())
            .orElse(0L);
    note(
        String.format(
            "fill %s: %d of %d addresses borrowed from another host's block",
            subnet, borrowed, fillLedger.holder.size()));
    if (!fillLedger.duplicates.isEmpty()) {
      violations.add(
          fillLedger.duplicates.size()
              + " duplicate grants in "
              + subnet
              + ", first: "
              + fillLedger.duplicates.get(0));
    }
    add(
        Phase.run(
            "fill-release",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              PoolId id = ids.get(h.id());
              if (id == null) {
                return;
              }
              for (IpAddress a : got.getOrDefault(h.id(), List.of())) {
                p.run(() -> h.ipam().releaseAddress(h.id(), id, a));
              }
              p.run(() -> h.ipam().releasePool(h.id(), id));
            }));
    poolView(subnet)
        .ifPresent(
            v -> leftOver("pool " + subnet + " is still in the store after every host left"));
  }

  // ------------------------------------------------------------------ pool create / delete storms

  private void poolStorm() {
    Map<HostId, List<PoolId>> made = new ConcurrentHashMap<>();
    add(
        Phase.run(
            "pool-create",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              List<PoolId> mine = made.computeIfAbsent(h.id(), k -> new ArrayList<>());
              for (int i = 0; i < s.poolsPerHost(); i++) {
                PoolGrant g =
                    p.op(
                        () ->
                            h.ipam()
                                .requestPool(
                                    new PoolRequest(
                                        h.id(),
                                        h.ipam().addressSpaces().local(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Map.of(),
                                        false)));
                if (g != null) {
                  mine.add(g.id());
                }
              }
            }));
    long distinct = made.values().stream().flatMap(List::stream).distinct().count();
    long total = made.values().stream().mapToLong(List::size).sum();
    if (distinct != total) {
      violations.add((total - distinct) + " dynamic pools handed to two hosts");
    }
    add(
        Phase.run(
            "pool-delete",
            fleet,
            fleet.hosts(),
            (h, p) -> {
              for (PoolId id : made.getOrDefault(h.id(), List.of())) {
                p.run(() -> h.ipam().releasePool(h.id(), id));
              }
            }));
  }
}
