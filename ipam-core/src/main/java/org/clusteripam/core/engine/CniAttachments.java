package org.clusteripam.core.engine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.alloc.ReservedAddresses;
import org.clusteripam.core.cni.AddRequest;
import org.clusteripam.core.cni.AttachedIp;
import org.clusteripam.core.cni.Attachment;
import org.clusteripam.core.cni.AttachmentCodec;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.cni.AttachmentMissingException;
import org.clusteripam.core.cni.CniIpam;
import org.clusteripam.core.cni.CniKeys;
import org.clusteripam.core.cni.PoolSpec;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.store.Versioned;

/**
 * CNI attachments on one host. A CNI network is a shared named pool per family (joined once per
 * process under the host's CNI pool holder, which also holds the gateway); an attachment's
 * addresses come from this host's blocks of it, held by the attachment itself, and its record
 * (netns, boot id) is written in the same transaction under the host's own key prefix. The ADD hot
 * path reads and writes the attachment key and one block: the pool record is only an untracked
 * hint.
 *
 * <p>Addresses beyond the host's blocks follow the Docker path exactly (claim, then borrow unless
 * strict affinity, and the same exhaustion words): they are allocated for the host and handed to
 * the attachment in the same transaction.
 */
final class CniAttachments implements CniIpam {
  private final ClusterIpam engine;
  private final StateStore store;
  private final IpamConfig config;
  private final HostId node;
  private final String host;
  private final Holder.Host self;
  private final Holder.CniPool poolHolder;
  private final Clock clock;
  private final long cooldownMillis;
  private final DecodeCache cache;
  private final PoolTxns poolTxns;
  private final AddressTxns addressTxns;
  private final ConcurrentHashMap<PoolSpec, Joined> joined = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<IpPrefix, Hint> hints = new ConcurrentHashMap<>();

  /** A pool this host's CNI holder is in, with its gateway. */
  private record Joined(IpPrefix prefix, Optional<IpAddress> gateway) {}

  /** The blocks this host owns in a pool, as of its affinity key's revision (untracked). */
  private record Hint(long modRevision, List<IpPrefix> mine) {}

  /** A pool's slow path needs borrow candidates (listed outside the transaction). */
  private static final class PoolNeedsBorrow extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final IpPrefix pool;

    PoolNeedsBorrow(IpPrefix pool) {
      super(null, null, false, false);
      this.pool = pool;
    }
  }

  private static final int RESCANS = 4;

  CniAttachments(ClusterIpam engine, HostId node, Clock clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.store = engine.store();
    this.config = engine.config();
    this.node = Objects.requireNonNull(node, "node");
    this.cache = engine.cniCache();
    this.host = node.value();
    this.self = Holder.of(node);
    this.poolHolder = new Holder.CniPool(node);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cooldownMillis = config.cooldown().toMillis();
    this.poolTxns = new PoolTxns(config);
    this.addressTxns = new AddressTxns(config);
  }

  /** The CNI facet of an engine, for {@code node}. */
  static CniAttachments of(ClusterIpam engine, HostId node, Clock clock) {
    return new CniAttachments(engine, node, clock);
  }

  // ---------------------------------------------------------------- ADD

  @Override
  public Attachment add(AddRequest req) {
    try {
      return addOnce(req);
    } catch (UnknownPoolException e) {
      req.pools().forEach(joined::remove); // the pool went away under us: join again, once
      return addOnce(req);
    }
  }

  private Attachment addOnce(AddRequest req) {
    List<Joined> pools = new ArrayList<>();
    for (PoolSpec s : req.pools()) {
      pools.add(join(s));
    }
    Map<IpPrefix, List<IpPrefix>> mine = new TreeMap<>();
    pools.forEach(p -> mine.put(p.prefix(), ownedHint(p.prefix())));
    long now = clock.millis();
    Map<IpPrefix, Candidates> cands = new TreeMap<>();
    for (int attempt = 0; ; attempt++) {
      boolean last = attempt >= RESCANS;
      Map<IpPrefix, Candidates> run = new TreeMap<>();
      cands.forEach((p, c) -> run.put(p, last ? c.asLast() : c));
      try {
        return store.transact(
            "cniAdd", v -> addTxn(v, new StateView(v, cache), req, pools, mine, now, run));
      } catch (PoolNeedsBorrow e) {
        Candidates c = cands.containsKey(e.pool) ? cands.get(e.pool) : engine.cniScan(e.pool, self);
        cands.put(e.pool, c.withBorrow(engine.cniBorrows(e.pool, self)));
      } catch (StaleListing e) {
        for (IpPrefix p : new java.util.ArrayList<>(cands.keySet())) {
          Candidates fresh = engine.cniScan(p, self);
          cands.put(
              p,
              cands.get(p).borrow() == null ? fresh : fresh.withBorrow(engine.cniBorrows(p, self)));
        }
        pools.forEach(j -> cands.putIfAbsent(j.prefix(), engine.cniScan(j.prefix(), self)));
      }
      if (cands.isEmpty()) {
        pools.forEach(j -> cands.put(j.prefix(), engine.cniScan(j.prefix(), self)));
      }
    }
  }

  private Attachment addTxn(
      TxnView v,
      StateView sv,
      AddRequest req,
      List<Joined> pools,
      Map<IpPrefix, List<IpPrefix>> mine,
      long now,
      Map<IpPrefix, Candidates> cands) {
    String key = CniKeys.key(host, req.id());
    Optional<byte[]> stored = v.get(key);
    if (stored.isPresent()) {
      // A replay: the same answer; a runtime restarted since may bring a new netns or boot.
      Attachment a = AttachmentCodec.decode(key, stored.get());
      if (!a.netns().equals(req.netns()) || !a.bootId().equals(req.bootId())) {
        a = a.withRuntime(req.netns(), req.bootId());
        v.put(key, AttachmentCodec.encode(a));
      }
      return a;
    }
    Holder holder = new Holder.CniAttachment(node, req.id());
    List<AttachedIp> ips = new ArrayList<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolSpec spec = req.pools().get(i);
      IpPrefix pool = pools.get(i).prefix();
      Optional<IpAddress> want =
          req.requested().stream().filter(a -> a.family() == spec.family()).findFirst();
      IpAddress got =
          want.isPresent()
              ? requested(sv, pool, holder, want.get(), now)
              : dynamic(sv, pool, holder, mine.get(pool), now, cands.get(pool));
      ips.add(
          new AttachedIp(
              pool,
              IpPrefix.containing(got, addressTxns.blockLength(pool)),
              got,
              pools.get(i).gateway()));
    }
    Attachment a = new Attachment(req.id(), host, req.netns(), req.bootId(), now, ips);
    v.put(key, AttachmentCodec.encode(a));
    return a;
  }

  /**
   * @param cands the pool's claim candidates; null on the first try (the fast path usually serves)
   */
  private IpAddress dynamic(
      StateView sv,
      IpPrefix pool,
      Holder holder,
      List<IpPrefix> hinted,
      long now,
      Candidates cands) {
    for (IpPrefix b : hinted) {
      Optional<Block> ob = sv.block(pool, b);
      if (ob.isEmpty() || !ob.get().isOwnedBy(self) || !ob.get().pool().equals(pool)) {
        continue;
      }
      Optional<Block.Picked> p =
          ob.get().pick(holder, AddressKind.ENDPOINT, config.policyFor(false), now, cooldownMillis);
      if (p.isPresent()) {
        sv.put(p.get().block());
        return p.get().address();
      }
    }
    if (cands == null) {
      throw new StaleListing("no claim candidates scanned yet"); // scan them and run again
    }
    IpAddress a;
    try {
      a = addressTxns.slowDynamicTxn(sv, pool, self, AddressKind.ENDPOINT, false, now, cands);
    } catch (AddressTxns.NeedBorrow e) {
      throw new PoolNeedsBorrow(pool);
    }
    handOver(sv, pool, a, self, holder);
    return a;
  }

  private IpAddress requested(StateView sv, IpPrefix pool, Holder holder, IpAddress a, long now) {
    if (!pool.contains(a)) {
      throw new InvalidRequestException("requested address " + a + " is not inside pool " + pool);
    }
    int len = addressTxns.blockLength(pool);
    Optional<String> reserved = ReservedAddresses.reservedReason(pool, len, a);
    if (reserved.isPresent()) {
      throw new InvalidRequestException(
          "requested address "
              + a
              + " is the "
              + reserved.get()
              + " address of pool "
              + pool
              + " and cannot be assigned");
    }
    Optional<Block> ob = sv.block(pool, IpPrefix.containing(a, len));
    Allocation al =
        ob.filter(b -> b.pool().equals(pool)).flatMap(b -> b.allocation(a)).orElse(null);
    if (al != null) {
      if (al.holders().contains(holder)) {
        return a;
      }
      throw new ConflictException(
          "requested address " + a + " in pool " + pool + " is already in use by " + describe(al));
    }
    addressTxns.preferredTxn(sv, pool, self, a, AddressKind.ENDPOINT, now);
    handOver(sv, pool, a, self, holder);
    return a;
  }

  /**
   * Moves a fresh allocation of {@code a} from {@code from} to {@code to}, in the same transaction.
   */
  private void handOver(StateView sv, IpPrefix pool, IpAddress a, Holder from, Holder to) {
    IpPrefix b = IpPrefix.containing(a, addressTxns.blockLength(pool));
    Block blk =
        sv.block(pool, b)
            .orElseThrow(
                () ->
                    new StoreCorruptException(
                        Keys.block(pool, b), "the block just written is missing", null));
    Allocation al =
        blk.allocation(a)
            .orElseThrow(
                () ->
                    new StoreCorruptException(
                        Keys.block(pool, b), "the address just allocated is missing", null));
    TreeSet<Holder> h = new TreeSet<>(al.holders());
    h.remove(from);
    h.add(to);
    sv.put(blk.withHolders(a, h));
  }

  private static String describe(Allocation al) {
    List<String> out = new ArrayList<>();
    for (Holder h : al.holders()) {
      out.add(h.describe());
    }
    return String.join(" and ", out);
  }

  // ---------------------------------------------------------------- pools

  private Joined join(PoolSpec spec) {
    Joined j = joined.get(spec);
    if (j == null) {
      long now = clock.millis();
      IpPrefix pool = null;
      for (int attempt = 0; pool == null; attempt++) {
        try {
          pool =
              store.transact(
                  "cniJoinPool", v -> joinTxn(new StateView(v, cache), spec, now).prefix());
        } catch (StaleListing e) {
          if (attempt >= RESCANS) {
            throw ClusterIpam.staleTooOften("cniJoinPool", e);
          }
          engine.refreshAfter(e);
        }
      }
      IpPrefix p = pool;
      IpAddress g =
          engine.cniWithCandidates(
              "cniGateway",
              p,
              self,
              c -> v -> gatewayTxn(new StateView(v, cache), p, spec.gateway(), now, c));
      j = new Joined(p, Optional.of(g));
      joined.put(spec, j);
    }
    return j;
  }

  /**
   * Joins (or creates) the pool under this host's CNI pool holder; writes nothing when it already
   * holds it.
   */
  private PoolRecord joinTxn(StateView sv, PoolSpec spec, long now) {
    Optional<IpPrefix> existing =
        spec.subnet().isPresent()
            ? spec.subnet().filter(p -> sv.livePool(p).isPresent())
            : sv.named(spec.family(), spec.name()).filter(p -> sv.livePool(p).isPresent());
    PoolRecord rec = null;
    if (existing.isPresent() && sv.holder(existing.get(), poolHolder).isPresent()) {
      rec = sv.pool(existing.get(), poolHolder).orElse(null);
    }
    if (rec == null) {
      Map<String, String> options =
          new TreeMap<>(Map.of(org.clusteripam.core.ipam.PoolOptions.NETWORK, spec.name()));
      PoolRequest req =
          new PoolRequest(
              node,
              config.addressSpaces().local(),
              spec.subnet(),
              spec.ipRange(),
              options,
              spec.family() == IpFamily.IPV6);
      rec = poolTxns.requestPoolTxn(sv, req, poolHolder, options, Optional.of(spec.name()), now);
    }
    if (spec.ipRange().isPresent() && !spec.ipRange().equals(rec.ipRange())) {
      throw new ConflictException(
          "pool "
              + rec.prefix()
              + " of network \""
              + spec.name()
              + "\" has "
              + rec.ipRange().map(r -> "ip-range " + r).orElse("no ip-range")
              + ", not "
              + spec.ipRange().get());
    }
    return rec;
  }

  /**
   * The pool's gateway, held by this host's CNI pool holder: shared when it is allocated, else
   * allocated as Docker's gateway request would be (for the host, in the host's blocks) and handed
   * over.
   */
  private IpAddress gatewayTxn(
      StateView sv, IpPrefix pool, Optional<IpAddress> wanted, long now, Candidates cands) {
    PoolRecord rec =
        sv.pool(pool, poolHolder)
            .orElseThrow(() -> new UnknownPoolException(new PoolId("pool/" + pool)));
    if (wanted.isPresent() && rec.gateway().isPresent() && !wanted.equals(rec.gateway())) {
      throw new InvalidRequestException(
          "pool " + pool + " already has gateway " + rec.gateway().get() + ", not " + wanted.get());
    }
    if (rec.gateway().isPresent()) {
      IpAddress g = rec.gateway().get();
      Optional<Block> ob = sv.block(pool, IpPrefix.containing(g, rec.blockLength()));
      Allocation al = ob.flatMap(b -> b.allocation(g)).orElse(null);
      if (al != null) {
        if (!al.holders().contains(poolHolder)) {
          sv.put(ob.get().share(g, poolHolder));
        }
        return g;
      }
    }
    IpAddress g = addressTxns.gatewayTxn(sv, pool, self, wanted, false, now, cands);
    Allocation al =
        sv.block(pool, IpPrefix.containing(g, addressTxns.blockLength(pool)))
            .flatMap(b -> b.allocation(g))
            .orElse(null);
    if (al != null && al.holders().contains(self) && !al.holders().contains(poolHolder)) {
      handOver(sv, pool, g, self, poolHolder);
    }
    return g;
  }

  /**
   * Blocks this host owns in {@code pool} according to an untracked, cached read of its affinity
   * key.
   */
  private List<IpPrefix> ownedHint(IpPrefix pool) {
    String key = Keys.affinity(pool, self);
    Optional<Versioned> peeked = store.peek(key);
    if (peeked.isEmpty()) {
      return List.of();
    }
    Hint h = hints.get(pool);
    if (h == null || h.modRevision() != peeked.get().modRevision()) {
      try {
        h =
            new Hint(
                peeked.get().modRevision(),
                List.copyOf(StateCodec.decodeAffinity(key, peeked.get().value()).blocks()));
      } catch (StoreCorruptException e) {
        return List.of(); // the tracked read on the slow path reports it
      }
      if (hints.size() > 4096) {
        hints.clear();
      }
      hints.put(pool, h);
    }
    return h.mine();
  }

  // ---------------------------------------------------------------- DEL, CHECK, GC

  @Override
  public boolean del(AttachmentId id) {
    long now = clock.millis();
    return store.transact(
        "cniDel", v -> releaseTxn(v, new StateView(v, cache), id, OptionalLong.empty(), now));
  }

  @Override
  public boolean releaseIfUnchanged(AttachmentId id, long sinceMillis) {
    long now = clock.millis();
    return store.transact(
        "cniRelease",
        v -> releaseTxn(v, new StateView(v, cache), id, OptionalLong.of(sinceMillis), now));
  }

  private boolean releaseTxn(
      TxnView v, StateView sv, AttachmentId id, OptionalLong since, long now) {
    String key = CniKeys.key(host, id);
    Optional<byte[]> stored = v.get(key);
    if (stored.isEmpty()) {
      return false;
    }
    Attachment a = AttachmentCodec.decode(key, stored.get());
    if (since.isPresent() && a.sinceMillis() != since.getAsLong()) {
      return false; // re-added since the caller looked: a new attachment
    }
    Holder holder = new Holder.CniAttachment(node, id);
    for (AttachedIp ip : a.ips()) {
      Optional<Block> ob = sv.block(ip.pool(), ip.block());
      if (ob.isPresent() && ob.get().pool().equals(ip.pool())) {
        Block nb = ob.get().drop(ip.address(), holder, now, cooldownMillis);
        if (nb != ob.get()) {
          sv.put(nb);
        }
      }
    }
    v.delete(key);
    return true;
  }

  @Override
  public Attachment check(AttachmentId id) {
    return store.transact(
        "cniCheck",
        v -> {
          String key = CniKeys.key(host, id);
          Optional<byte[]> stored = v.get(key);
          if (stored.isEmpty()) {
            throw new AttachmentMissingException(
                "no address is reserved for " + id + " on host " + host);
          }
          Attachment a = AttachmentCodec.decode(key, stored.get());
          StateView sv = new StateView(v, cache);
          Holder holder = new Holder.CniAttachment(node, id);
          for (AttachedIp ip : a.ips()) {
            boolean held =
                sv.block(ip.pool(), ip.block())
                    .flatMap(b -> b.allocation(ip.address()))
                    .filter(al -> al.holders().contains(holder))
                    .isPresent();
            if (!held) {
              throw new AttachmentMissingException(
                  "address "
                      + ip.address()
                      + " of "
                      + id
                      + " is no longer reserved in pool "
                      + ip.pool());
            }
          }
          return a;
        });
  }

  @Override
  public List<AttachmentId> gc(String network, java.util.Set<GcEntry> valid) {
    List<AttachmentId> released = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : store.list(CniKeys.ofNetwork(host, network)).entrySet()) {
      Attachment a = AttachmentCodec.decode(e.getKey(), e.getValue().value());
      if (!a.id().network().equals(network)
          || valid.contains(new GcEntry(a.id().containerId(), a.id().ifname()))) {
        continue;
      }
      if (releaseIfUnchanged(a.id(), a.sinceMillis())) {
        released.add(a.id());
      }
    }
    return released;
  }

  @Override
  public List<Attachment> attachments() {
    List<Attachment> out = new ArrayList<>();
    store
        .list(CniKeys.ofHost(host))
        .forEach((k, v) -> out.add(AttachmentCodec.decode(k, v.value())));
    return out;
  }

  // ---------------------------------------------------------------- STATUS

  @Override
  public void status(List<PoolSpec> pools) {
    long now = clock.millis();
    // The ADD path itself, on a view whose writes go nowhere: the transactions commit nothing.
    // a holder no attachment has: its writes go nowhere anyway
    Holder probe =
        new Holder.CniAttachment(node, new AttachmentId("status-probe", "status-probe", "probe"));
    for (PoolSpec spec : pools) {
      Optional<IpPrefix> pool =
          store.transact(
              "cniStatus",
              v -> {
                StateView sv = new StateView(new DryRunView(v), new DecodeCache());
                Optional<IpPrefix> existing =
                    spec.subnet().isPresent()
                        ? spec.subnet().filter(p -> sv.livePool(p).isPresent())
                        : sv.named(spec.family(), spec.name())
                            .filter(p -> sv.livePool(p).isPresent());
                if (existing.isEmpty()) {
                  // refuses what ADD would refuse; a new pool's first address is free
                  joinTxn(sv, spec, now);
                }
                return existing;
              });
      if (pool.isPresent()) {
        IpPrefix p = pool.get();
        List<IpPrefix> mine = ownedHint(p);
        engine.cniWithCandidates(
            "cniStatus",
            p,
            self,
            c ->
                v -> {
                  StateView sv = new StateView(new DryRunView(v), new DecodeCache());
                  try {
                    return dynamic(sv, p, probe, mine, now, c);
                  } catch (PoolNeedsBorrow e) {
                    // the engine lists borrow candidates and runs it again
                    throw new AddressTxns.NeedBorrow();
                  }
                });
      }
    }
  }

  /** Reads through to the transaction, keeps writes to itself. */
  private static final class DryRunView implements TxnView {
    private final TxnView inner;
    private final TreeMap<String, byte[]> writes = new TreeMap<>();

    DryRunView(TxnView inner) {
      this.inner = inner;
    }

    @Override
    public Optional<byte[]> get(String key) {
      return writes.containsKey(key) ? Optional.ofNullable(writes.get(key)) : inner.get(key);
    }

    @Override
    public java.util.SortedMap<String, byte[]> list(String prefix) {
      TreeMap<String, byte[]> out = new TreeMap<>(inner.list(prefix));
      writes.forEach(
          (k, b) -> {
            if (k.startsWith(prefix)) {
              if (b == null) {
                out.remove(k);
              } else {
                out.put(k, b);
              }
            }
          });
      return out;
    }

    @Override
    public void put(String key, byte[] value) {
      writes.put(key, value.clone());
    }

    @Override
    public void delete(String key) {
      writes.put(key, null);
    }
  }
}
