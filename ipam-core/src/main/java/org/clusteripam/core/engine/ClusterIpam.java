package org.clusteripam.core.engine;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.clusteripam.core.alloc.ReservedAddresses;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolOptions;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.ServiceVip;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.LbPlanner;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.state.AffinityRecord;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.CarvingConfig;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.PoolRecord;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.Versioned;

/**
 * The cluster IPAM over a {@link StateStore}: supernet → network pools → per-host blocks →
 * addresses. Every decision is made inside {@link StateStore#transact} functions that depend only
 * on what they read, so they can be re-run on conflict and group-committed.
 *
 * <p>The hot path — a dynamic address on a host that owns a block with room — reads and writes only
 * that block's key; the pool record is consulted through an untracked {@link StateStore#peek} hint
 * and the ownership is verified on the block itself. Thread-safe: all state lives in the store.
 */
final class ClusterIpam implements DriverIpam, HostAddressing {
  private final StateStore store;
  private final IpamConfig config;
  private final Clock clock;
  private final long cooldownMillis;
  private final ConcurrentHashMap<IpPrefix, PoolHint> poolHints = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, OwnedHint> ownedHints = new ConcurrentHashMap<>();
  private final DecodeCache decodeCache = new DecodeCache();

  /** Pool ids as parsed: Docker sends the same few ids on every call. */
  private final ConcurrentHashMap<PoolId, Optional<PoolRef>> poolRefs = new ConcurrentHashMap<>();

  private final PoolTxns poolTxns;
  private final AddressTxns addressTxns;
  private final VipTxns vipTxns;
  private final PerHostTxns perHostTxns;

  /** A pool record and its addressing mode, as of a revision (an untracked hint). */
  private record PoolHint(long modRevision, PoolRecord record, AddressingMode mode) {}

  /**
   * The blocks one holder owns in one pool, as of a revision of its affinity key (an untracked
   * hint).
   */
  private record OwnedHint(long modRevision, List<IpPrefix> blocks) {}

  /**
   * How often a transaction is re-run after its untracked knowledge (a listing, block candidates)
   * proved stale.
   */
  private static final int RESCANS = 4;

  /**
   * Transactions of one allocation or release that may run out of compare-and-swap retries (the
   * store's own bound) before it fails: a block's owner and its borrowers write the same key.
   */
  private static final int LOST_RACES = 2;

  /**
   * Opens the engine and records (or checks) the carving parameters in the store.
   *
   * @throws ConfigMismatchException when the store was carved with other parameters
   */
  ClusterIpam(StateStore store, IpamConfig config, Clock clock) {
    this(store, config, clock, PoolTxns.DELETE_BATCH);
  }

  /** As above, deleting a pool's keys {@code deleteBatch} per transaction (tests: small ones). */
  ClusterIpam(StateStore store, IpamConfig config, Clock clock, int deleteBatch) {
    this.store = Objects.requireNonNull(store, "store");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cooldownMillis = config.cooldown().toMillis();
    this.poolTxns = new PoolTxns(config, deleteBatch);
    this.addressTxns = new AddressTxns(config);
    this.vipTxns = new VipTxns(config, addressTxns);
    this.perHostTxns = new PerHostTxns(config, addressTxns);
    CarvingConfig mine = config.carving();
    List<String> diff =
        store.transact(
            "checkConfig",
            v -> {
              Optional<byte[]> stored = v.get(Keys.CONFIG);
              if (stored.isEmpty()) {
                v.put(Keys.CONFIG, StateCodec.encode(mine));
                return List.of();
              }
              return StateCodec.decodeConfig(Keys.CONFIG, stored.get()).differences(mine);
            });
    if (diff.isEmpty()) {
      SchemaMigration.migrate(store, clock.millis());
      CarvingUpgrade.run(store, config, decodeCache);
    }
    if (!diff.isEmpty()) {
      throw new ConfigMismatchException(store.describe(), diff);
    }
  }

  IpamConfig config() {
    return config;
  }

  StateStore store() {
    return store;
  }

  Clock clock() {
    return clock;
  }

  IpamQueries queries() {
    return new IpamQueries(store, config);
  }

  private Optional<PoolRef> poolRef(PoolId id) {
    Optional<PoolRef> r = poolRefs.get(id);
    if (r == null) {
      r = PoolRef.parse(id, config.addressSpaces());
      if (poolRefs.size() >= 4096) {
        poolRefs.clear();
      }
      poolRefs.put(id, r);
    }
    return r;
  }

  @Override
  public AddressSpaces addressSpaces() {
    return config.addressSpaces();
  }

  /**
   * The block length used inside {@code pool}: the configured one, or the pool itself if smaller.
   */
  int blockLength(IpPrefix pool) {
    return Math.max(config.blockLength(pool.family()), pool.length());
  }

  private boolean isGlobalSpace(String space) {
    AddressSpaces s = config.addressSpaces();
    if (s.local().equals(space)) {
      return false;
    }
    if (s.global().equals(space)) {
      return true;
    }
    throw new InvalidRequestException(
        "unknown address space \""
            + space
            + "\": this driver serves \""
            + s.local()
            + "\" and \""
            + s.global()
            + "\"");
  }

  // ---------------------------------------------------------------- pools

  @Override
  public PoolGrant requestPool(PoolRequest req) {
    boolean global = isGlobalSpace(req.addressSpace());
    Holder holder = Holder.of(req.host(), global);
    TreeMap<String, String> options = new TreeMap<>(req.options());
    Optional<String> name = Optional.ofNullable(options.get(PoolOptions.NETWORK));
    if (name.isPresent() && name.get().isBlank()) {
      throw new InvalidRequestException("the ipam option network= needs a name");
    }
    req.pool()
        .filter(p -> p.network().equals(IpAddress.zero(p.family())))
        .ifPresent(this::refuseUnspecified);
    if (req.subPool().isPresent()) {
      IpPrefix sub = req.subPool().get();
      if (req.pool().isEmpty()) {
        throw new InvalidRequestException("an ip-range (" + sub + ") needs an explicit subnet");
      }
      if (!req.pool().get().contains(sub)) {
        throw new InvalidRequestException(
            "ip-range " + sub + " is not inside subnet " + req.pool().get());
      }
    }
    long now = clock.millis();
    Map<String, byte[]> presumed = poolTxns.presumedCreation(req, options, name);
    PoolRecord rec = null;
    for (int attempt = 0; rec == null; attempt++) {
      try {
        rec =
            store.transact(
                "requestPool",
                v ->
                    poolTxns.requestPoolTxn(
                        new StateView(v, decodeCache), req, holder, options, name, now),
                presumed);
      } catch (StaleListing e) {
        if (attempt >= RESCANS) {
          throw staleTooOften("requestPool", e);
        }
        refreshAfter(e);
      }
    }
    PoolRef ref = new PoolRef(req.addressSpace(), global, rec.prefix());
    return new PoolGrant(ref.id(), rec.prefix(), rec.gateway());
  }

  /**
   * After a pool creation found its untracked knowledge stale: converts a store an earlier build
   * carved, or refreshes the cache with linearizable listings of what the creation scanned.
   */
  void refreshAfter(StaleListing e) {
    if (e instanceof LegacyCarving) {
      CarvingUpgrade.run(store, config, decodeCache);
    } else if (e.refresh().isPresent()) {
      store.list(e.refresh().get());
    } else {
      store.list(Keys.POOLS);
      store.list(Keys.RANGES);
    }
  }

  static StoreConflictException staleTooOften(String op, StaleListing e) {
    return new StoreConflictException(
        op
            + ": the "
            + e.getMessage()
            + " read kept changing under this creation after "
            + RESCANS
            + " refreshes");
  }

  /**
   * {@code 0.0.0.0/N} or {@code ::/N} is no subnet: newer engines send it for "any /N". Refused
   * rather than carved, because an engine that keeps it as the network's subnet replays it after a
   * restart, where a fresh carve would hand the network a different pool than its containers hold.
   */
  private void refuseUnspecified(IpPrefix p) {
    IpFamily f = p.family();
    String dynamic =
        config
            .supernet(f)
            .map(
                sn ->
                    "leave the subnet out for a dynamic pool (this driver carves /"
                        + config.networkLength(f)
                        + " pools from "
                        + sn
                        + ")")
            .orElse("no " + f + " supernet is configured, so give a real subnet");
    throw new InvalidRequestException(
        "pool "
            + p
            + " starts at the unspecified address and is not a subnet: "
            + dynamic
            + ", or give the subnet you mean");
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    Optional<PoolRef> parsed = poolRef(pool);
    if (parsed.isEmpty()) {
      return;
    }
    PoolRef ref = parsed.get();
    Holder holder = Holder.of(host, ref.global());
    long now = clock.millis();
    long token = markToken(holder);
    PoolTxns.Left left =
        store.transact(
            "releasePool",
            v ->
                poolTxns.releasePoolTxn(
                    new StateView(v, decodeCache), ref.prefix(), holder, now, token));
    if (left != PoolTxns.Left.MARKED && store.list(Keys.holdersOf(ref.prefix())).isEmpty()) {
      // The cached view showed other holders, but they have all left (the last to commit lists
      // after every other one), or a retried leave whose first run committed: mark it.
      long again = markToken(holder);
      if (store.transact(
          "markPool", v -> poolTxns.markTxn(new StateView(v, decodeCache), ref.prefix(), again))) {
        left = PoolTxns.Left.MARKED;
      }
    }
    if (left == PoolTxns.Left.MARKED) {
      try {
        finishDeletion(ref.prefix());
      } catch (RuntimeException e) {
        // The leave committed but the deletion did not: hold the pool again rather than leave it
        // marked with nobody holding it. The release failed; a retry deletes it.
        try {
          store.transact(
              "undoLeave",
              v -> poolTxns.undoLeaveTxn(new StateView(v, decodeCache), ref.prefix(), holder));
        } catch (RuntimeException u) {
          e.addSuppressed(u);
        }
        throw e;
      }
    }
  }

  /**
   * A deletion mark's token: distinct from every earlier mark's, because two hosts differ in their
   * name, two calls of this engine in its counter and a restarted engine in the time (no store
   * round trip: a leave storm pays for none).
   */
  private long markToken(Holder holder) {
    long t =
        com.google.common.hash.Hashing.murmur3_128()
            .newHasher()
            .putLong(clock.millis())
            .putLong(marksMade.incrementAndGet())
            .putString(holder.format(), java.nio.charset.StandardCharsets.UTF_8)
            .hash()
            .asLong();
    return t == 0 ? 1 : t;
  }

  private final java.util.concurrent.atomic.AtomicLong marksMade =
      new java.util.concurrent.atomic.AtomicLong();

  /** Most deletion steps of one pool per call; beyond, the mark stays for a later call. */
  private static final int DELETION_STEPS = 256;

  /**
   * The second step of deleting a pool whose last holder left: lists every key of the pool with
   * linearizable reads (after the mark was committed), then deletes them in bounded transactions if
   * the mark is unchanged and no holder is listed (see {@link PoolTxns#deleteMarkedTxn}). Whether
   * the pool was deleted.
   */
  private boolean finishDeletion(IpPrefix pool) {
    for (int step = 0; step < DELETION_STEPS; step++) {
      // The mark first, then the keys: a join after this read either is in the listing or
      // changed the mark the step compares.
      String recKey = Keys.pool(pool);
      Optional<PoolRecord> read =
          store.read(recKey).map(rv -> StateCodec.decodePool(recKey, rv.value()));
      if (read.isEmpty() || !read.get().deleting()) {
        return false;
      }
      long mark = read.get().mark();
      java.util.TreeMap<String, byte[]> listed = new java.util.TreeMap<>();
      for (String prefix : PoolTxns.prefixesOf(pool)) {
        store.list(prefix).forEach((k, v) -> listed.put(k, v.value()));
      }
      PoolTxns.Deletion d =
          store.transact(
              "deletePool",
              v -> poolTxns.deleteMarkedTxn(new StateView(v, decodeCache), pool, mark, listed));
      if (d != PoolTxns.Deletion.MORE) {
        return d == PoolTxns.Deletion.DELETED;
      }
    }
    return false;
  }

  @Override
  public List<IpPrefix> finishDeletions() {
    List<IpPrefix> out = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : store.list(Keys.POOLS).entrySet()) {
      PoolRecord r = decodeCache.pool(e.getKey(), e.getValue().value());
      if (r.deleting() && finishDeletion(r.prefix())) {
        out.add(r.prefix());
      }
    }
    return out;
  }

  @Override
  public List<IpPrefix> releaseEmptyBlocks(HostId host) {
    Holder holder = Holder.of(host);
    List<IpPrefix> pools =
        store.transact(
            "hostPools", v -> new ArrayList<>(new StateView(v, decodeCache).hostPools(holder)));
    List<IpPrefix> released = new ArrayList<>();
    for (IpPrefix p : pools) {
      released.addAll(
          store.transact(
              "releaseEmptyBlocks",
              v -> {
                StateView sv = new StateView(v, decodeCache);
                AffinityRecord aff = sv.affinity(p, holder);
                AffinityRecord left = aff;
                List<IpPrefix> out = new ArrayList<>();
                for (IpPrefix b : aff.blocks()) {
                  Optional<Block> blk = sv.block(p, b);
                  if (blk.isEmpty() || !blk.get().isOwnedBy(holder)) {
                    left = left.without(b); // the index lagged behind the block: repair it
                  } else if (blk.get().isEmpty()) {
                    sv.deleteBlock(p, b);
                    left = left.without(b);
                    out.add(b);
                  }
                }
                if (!left.equals(aff)) {
                  sv.put(p, left);
                }
                return out;
              }));
    }
    return released;
  }

  // ---------------------------------------------------------------- addresses

  @Override
  public AddressGrant requestAddress(AddressRequest req) {
    PoolRef ref = poolRef(req.pool()).orElseThrow(() -> new UnknownPoolException(req.pool()));
    Holder holder = Holder.of(req.host(), ref.global());
    IpPrefix pool = ref.prefix();
    boolean serial = req.serial();
    if (req.preferred().isPresent()) {
      IpAddress a = req.preferred().get();
      if (!pool.contains(a)) {
        throw new InvalidRequestException("address " + a + " is not inside pool " + pool);
      }
      Optional<String> reserved = ReservedAddresses.reservedReason(pool, blockLength(pool), a);
      if (reserved.isPresent()) {
        throw new InvalidRequestException(
            "address "
                + a
                + " is the "
                + reserved.get()
                + " address of pool "
                + pool
                + " and cannot be assigned");
      }
    }
    long now = clock.millis();
    try {
      return new AddressGrant(allocate(req, pool, holder, serial, now), pool, Map.of());
    } catch (UnknownPoolException e) {
      throw new UnknownPoolException(req.pool()); // name the id Docker sent
    }
  }

  private IpAddress allocate(
      AddressRequest req, IpPrefix pool, Holder holder, boolean serial, long now) {
    IpAddress got;
    if (req.preferred().isPresent()
        && req.kind() == AddressKind.ENDPOINT
        && !Holder.GLOBAL.equals(holder)
        && placeholderHint(pool).filter(r -> r.contains(req.preferred().get())).isPresent()) {
      // A node asks for a swarm placeholder of a per-host pool: an address of its own blocks.
      got =
          withCandidates(
              "requestMappedAddress",
              pool,
              holder,
              c ->
                  v ->
                      perHostTxns.mappedTxn(
                          new StateView(v, decodeCache),
                          pool,
                          holder,
                          req.preferred().get(),
                          now,
                          c));
    } else if (req.kind() == AddressKind.GATEWAY) {
      got =
          withCandidates(
              "requestGateway",
              pool,
              holder,
              c ->
                  v ->
                      addressTxns.gatewayTxn(
                          new StateView(v, decodeCache),
                          pool,
                          holder,
                          req.preferred(),
                          serial,
                          now,
                          c));
    } else if (req.preferred().isPresent()) {
      got =
          store.transact(
              "requestAddress",
              v ->
                  addressTxns.preferredTxn(
                      new StateView(v, decodeCache),
                      pool,
                      holder,
                      req.preferred().get(),
                      AddressKind.ENDPOINT,
                      now));
    } else {
      got = dynamic(pool, holder, serial, now);
    }
    return got;
  }

  private IpAddress dynamic(IpPrefix pool, Holder holder, boolean serial, long now) {
    List<IpPrefix> hinted = ownedHint(pool, holder);
    if (!hinted.isEmpty()) {
      IpAddress fast;
      try {
        fast = fastDynamic(pool, holder, serial, now, hinted);
      } catch (StoreConflictException e) {
        fast = null; // its block stayed busy with borrowers: the slow path may claim or go on
      }
      if (fast != null) {
        return fast;
      }
    }
    return slowDynamic(pool, holder, serial, now);
  }

  private IpAddress fastDynamic(
      IpPrefix pool, Holder holder, boolean serial, long now, List<IpPrefix> hinted) {
    // The hot path: only the blocks this holder owns are read and written.
    return store.transact(
        "requestAddress",
        v -> {
          StateView sv = new StateView(v, decodeCache);
          for (IpPrefix b : hinted) {
            Optional<Block> ob = sv.block(pool, b);
            if (ob.isEmpty() || !ob.get().isOwnedBy(holder) || !ob.get().pool().equals(pool)) {
              continue;
            }
            Optional<Block.Picked> p =
                ob.get()
                    .pick(
                        holder,
                        AddressKind.ENDPOINT,
                        config.policyFor(serial),
                        now,
                        cooldownMillis);
            if (p.isPresent()) {
              sv.put(p.get().block());
              return p.get().address();
            }
          }
          return null;
        });
  }

  private IpAddress slowDynamic(IpPrefix pool, Holder holder, boolean serial, long now) {
    return withCandidates(
        "requestAddress",
        pool,
        holder,
        c ->
            v ->
                addressTxns.slowDynamicTxn(
                    new StateView(v, decodeCache),
                    pool,
                    holder,
                    AddressKind.ENDPOINT,
                    serial,
                    now,
                    c));
  }

  /**
   * Runs a transaction that may claim or borrow a block, with candidates found by untracked reads:
   * re-scanned when they proved stale, the borrow candidates listed only when the transaction asks.
   */
  private <R> R withCandidates(
      String name,
      IpPrefix pool,
      Holder holder,
      java.util.function.Function<Candidates, org.clusteripam.core.store.Txn<R>> txn) {
    Candidates c = scan(pool, holder);
    for (int attempt = 0; ; attempt++) {
      Candidates run = attempt >= RESCANS ? c.asLast() : c;
      try {
        return store.transact(name, txn.apply(run));
      } catch (AddressTxns.NeedBorrow e) {
        c = c.withBorrow(borrows(pool, holder));
      } catch (StaleListing e) {
        Candidates fresh = scan(pool, holder).withLostRaces(c.lostRaces());
        c = c.borrow() == null ? fresh : fresh.withBorrow(borrows(pool, holder));
      } catch (StoreConflictException e) {
        // Nothing was written. Its block stayed busy (an owner allocating in it, other borrowers):
        // claim or borrow again from a fresh listing, starting one block further in the order.
        int lost = c.lostRaces() + 1;
        if (lost > LOST_RACES) {
          throw e;
        }
        c = scan(pool, holder).withLostRaces(lost).withBorrow(borrows(pool, holder));
      }
    }
  }

  /**
   * For {@link CniAttachments}: {@link #withCandidates}, {@link #scan} and {@link #borrows} of this
   * engine.
   */
  <R> R cniWithCandidates(
      String name,
      IpPrefix pool,
      Holder holder,
      java.util.function.Function<Candidates, org.clusteripam.core.store.Txn<R>> txn) {
    return withCandidates(name, pool, holder, txn);
  }

  Candidates cniScan(IpPrefix pool, Holder holder) {
    return scan(pool, holder);
  }

  List<IpPrefix> cniBorrows(IpPrefix pool, Holder holder) {
    return borrows(pool, holder);
  }

  DecodeCache cniCache() {
    return decodeCache;
  }

  private Candidates scan(IpPrefix pool, Holder holder) {
    PoolHint h = hint(pool);
    if (h == null) {
      return new Candidates(List.of(), null, false);
    }
    return new Candidates(
        Candidates.scanClaims(h.record(), holder, store::peek, decodeCache), null, false);
  }

  private List<IpPrefix> borrows(IpPrefix pool, Holder holder) {
    PoolHint h = hint(pool);
    if (h == null) {
      return List.of();
    }
    List<Block> blocks = new ArrayList<>();
    store
        .list(Keys.blocksOf(pool))
        .forEach(
            (k, v) -> {
              if (!Keys.isBlockChunk(k)) {
                // owners only: a chunked block's chunks are not read
                blocks.add(decodeCache.block(k, v.value()));
              }
            });
    return Candidates.scanBorrows(h.record(), holder, blocks, b -> true);
  }

  /**
   * Blocks {@code holder} owns in {@code pool} according to an untracked, cached read of its
   * affinity key.
   */
  private List<IpPrefix> ownedHint(IpPrefix pool, Holder holder) {
    String key = decodeCache.affinityKey(pool, holder);
    Optional<Versioned> peeked = store.peek(key);
    if (peeked.isEmpty()) {
      ownedHints.remove(key);
      return List.of();
    }
    Versioned v = peeked.get();
    OwnedHint h = ownedHints.get(key);
    if (h == null || h.modRevision() != v.modRevision()) {
      try {
        h =
            new OwnedHint(
                v.modRevision(), List.copyOf(StateCodec.decodeAffinity(key, v.value()).blocks()));
      } catch (StoreCorruptException e) {
        return List.of(); // the tracked read on the slow path reports it
      }
      if (ownedHints.size() > 4096) {
        ownedHints.clear();
      }
      ownedHints.put(key, h);
    }
    return h.blocks();
  }

  /**
   * The placeholder range of {@code pool} if it is per-host, according to an untracked, cached
   * read.
   */
  private Optional<IpPrefix> placeholderHint(IpPrefix pool) {
    PoolHint h = hint(pool);
    return h == null ? Optional.empty() : h.mode().placeholders();
  }

  private PoolHint hint(IpPrefix pool) {
    String key = decodeCache.poolKey(pool);
    Optional<Versioned> peeked = store.peek(key);
    if (peeked.isEmpty()) {
      poolHints.remove(pool);
      return null;
    }
    Versioned v = peeked.get();
    PoolHint h = poolHints.get(pool);
    if (h == null || h.modRevision() != v.modRevision()) {
      PoolRecord rec;
      try {
        rec = decodeCache.pool(key, v.value());
      } catch (StoreCorruptException e) {
        return null; // the tracked read on the slow path reports it
      }
      h = new PoolHint(v.modRevision(), rec, PoolModes.of(rec));
      if (poolHints.size() > 4096) {
        poolHints.clear();
      }
      poolHints.put(pool, h);
    }
    return h;
  }

  @Override
  public void releaseAddress(HostId host, PoolId poolId, IpAddress address) {
    release(host, poolId, address, al -> true);
  }

  @Override
  public boolean releaseAddressIfUnchanged(
      HostId host, PoolId poolId, IpAddress address, long sinceMillis) {
    return release(host, poolId, address, al -> al.sinceMillis() == sinceMillis);
  }

  /**
   * Drops {@code host}'s hold on {@code address} if the allocation passes {@code still}; whether it
   * did.
   */
  private boolean release(
      HostId host,
      PoolId poolId,
      IpAddress address,
      java.util.function.Predicate<Allocation> still) {
    Optional<PoolRef> parsed = poolRef(poolId);
    if (parsed.isEmpty() || !parsed.get().prefix().contains(address)) {
      return false; // releasing something unknown succeeds
    }
    PoolRef ref = parsed.get();
    IpPrefix pool = ref.prefix();
    Holder holder = Holder.of(host, ref.global());
    IpPrefix b = IpPrefix.containing(address, blockLength(pool));
    long now = clock.millis();
    boolean placeholder =
        ref.global() && placeholderHint(pool).filter(r -> r.contains(address)).isPresent();
    for (int lost = 0; ; lost++) {
      try {
        return releaseTxn(holder, pool, b, address, still, now, placeholder);
      } catch (StoreConflictException e) {
        // Nothing was written; the block's owner and its borrowers kept writing it: once more
        if (lost >= LOST_RACES) {
          throw e;
        }
      }
    }
  }

  private boolean releaseTxn(
      Holder holder,
      IpPrefix pool,
      IpPrefix b,
      IpAddress address,
      java.util.function.Predicate<Allocation> still,
      long now,
      boolean placeholder) {
    return store.transact(
        "releaseAddress",
        v -> {
          StateView sv = new StateView(v, decodeCache);
          Optional<Block> ob = sv.block(pool, b);
          if (ob.isEmpty() || !ob.get().pool().equals(pool)) {
            return false;
          }
          Block blk = ob.get();
          Allocation al = blk.allocation(address).orElse(null);
          if (al == null || !al.holders().contains(holder) || !still.test(al)) {
            return false;
          }
          Block nb =
              announcedGatewayHeir(sv, pool, al, address, holder)
                  .map(heir -> blk.withHolders(address, Allocation.single(heir)))
                  .orElseGet(() -> blk.drop(address, holder, now, cooldownMillis));
          sv.put(nb);
          if (al.placeholder().isPresent()) {
            PerHostTxns.dropMappingOfActual(sv, pool, holder, address, al.placeholder().get());
          }
          if (placeholder && !nb.isAllocated(address)) {
            PerHostTxns.dropMappingOfPlaceholder(sv, pool, address);
          }
          if (al.kind() == AddressKind.GATEWAY && !nb.isAllocated(address)) {
            sv.poolRecord(pool)
                .filter(r -> r.gateway().filter(address::equals).isPresent())
                .ifPresent(r -> sv.put(r.withGateway(Optional.empty())));
          }
          return true;
        });
  }

  /**
   * Who keeps the pool's announced gateway when {@code holder}, its last holder in the block, lets
   * it go: another holder of the pool, whose Docker uses the gateway it was announced without
   * requesting it (a join does not write the gateway's block). Empty: the gateway is freed.
   */
  static Optional<Holder> announcedGatewayHeir(
      StateView sv, IpPrefix pool, Allocation al, IpAddress address, Holder holder) {
    if (al.kind() != AddressKind.GATEWAY || !al.holders().equals(java.util.Set.of(holder))) {
      return Optional.empty();
    }
    if (sv.poolRecord(pool).flatMap(PoolRecord::gateway).filter(address::equals).isEmpty()) {
      return Optional.empty();
    }
    return sv.anotherHolder(pool, holder);
  }

  // ---------------------------------------------------------------- service VIPs

  @Override
  public ServiceVip requestServiceVip(HostId host, PoolId poolId, String serviceId) {
    Holder.Vip vip = VipTxns.vip(host, serviceId);
    PoolRef ref = poolRef(poolId).orElseThrow(() -> new UnknownPoolException(poolId));
    IpPrefix pool = ref.prefix();
    Holder owner = Holder.of(host); // the host's own blocks, whichever space the pool id names
    long now = clock.millis();
    try {
      List<IpPrefix> hinted = ownedHint(pool, owner);
      IpAddress got = null;
      if (!hinted.isEmpty()) {
        got =
            store.transact(
                "requestServiceVip",
                v -> vipTxns.fastTxn(new StateView(v, decodeCache), pool, owner, vip, hinted, now));
      }
      if (got == null) {
        got =
            withCandidates(
                "requestServiceVip",
                pool,
                owner,
                c -> v -> vipTxns.slowTxn(new StateView(v, decodeCache), pool, owner, vip, now, c));
      }
      return new ServiceVip(host, poolId, serviceId, got);
    } catch (UnknownPoolException e) {
      throw new UnknownPoolException(poolId); // name the id the caller sent
    }
  }

  @Override
  public void releaseServiceVip(HostId host, PoolId poolId, String serviceId) {
    Holder.Vip vip = VipTxns.vip(host, serviceId);
    Optional<PoolRef> parsed = poolRef(poolId);
    if (parsed.isEmpty()) {
      return;
    }
    IpPrefix pool = parsed.get().prefix();
    Holder owner = Holder.of(host);
    long now = clock.millis();
    List<IpPrefix> hinted = ownedHint(pool, owner);
    if (!hinted.isEmpty()
        && store.transact(
            "releaseServiceVip",
            v -> vipTxns.releaseIn(new StateView(v, decodeCache), pool, owner, vip, hinted, now))) {
      return;
    }
    store.transact(
        "releaseServiceVip",
        v -> {
          StateView sv = new StateView(v, decodeCache);
          return vipTxns.releaseIn(sv, pool, owner, vip, vipTxns.ownedBlocks(sv, pool, owner), now);
        });
  }

  @Override
  public List<ServiceVip> serviceVips(HostId host, PoolId poolId) {
    Optional<PoolRef> parsed = poolRef(poolId);
    if (parsed.isEmpty()) {
      return List.of();
    }
    IpPrefix pool = parsed.get().prefix();
    TreeMap<String, IpAddress> vips =
        store.transact(
            "serviceVips", v -> vipTxns.list(new StateView(v, decodeCache), pool, Holder.of(host)));
    List<ServiceVip> out = new ArrayList<>();
    vips.forEach((s, a) -> out.add(new ServiceVip(host, poolId, s, a)));
    return out;
  }

  // ---------------------------------------------------------------- per-host addressing

  @Override
  public int publishCatalog(Map<IpPrefix, List<CatalogService>> byPool) {
    int changed = 0;
    for (Map.Entry<IpPrefix, List<CatalogService>> e : new TreeMap<>(byPool).entrySet()) {
      List<CatalogService> services = List.copyOf(e.getValue());
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (CatalogService s : services) {
        if (!ids.add(s.serviceId())) {
          throw new IllegalArgumentException(
              "service " + s.serviceId() + " is listed twice for pool " + e.getKey());
        }
      }
      IpPrefix pool = e.getKey();
      changed +=
          store.transact(
              "publishCatalog",
              v -> perHostTxns.publishTxn(new StateView(v, decodeCache), pool, services));
    }
    return changed;
  }

  @Override
  public int publishTasks(
      HostId host, Map<IpPrefix, List<org.clusteripam.core.perhost.TaskAddress>> byPool) {
    Map<IpPrefix, List<org.clusteripam.core.perhost.TaskAddress>> given = new TreeMap<>(byPool);
    // bad input changes nothing
    given.forEach((pool, tasks) -> new org.clusteripam.core.perhost.NodeTasks(pool, host, tasks));
    int changed = 0;
    for (PoolRecord r : perHostRecords(Holder.of(host))) {
      given.putIfAbsent(r.prefix(), List.of());
    }
    for (Map.Entry<IpPrefix, List<org.clusteripam.core.perhost.TaskAddress>> e : given.entrySet()) {
      List<org.clusteripam.core.perhost.TaskAddress> tasks = List.copyOf(e.getValue());
      if (store.transact(
          "publishTasks",
          v ->
              PerHostTxns.publishTasksTxn(
                  new StateView(v, decodeCache), e.getKey(), host, tasks))) {
        changed++;
      }
    }
    return changed;
  }

  @Override
  public List<org.clusteripam.core.perhost.NodeTasks> publishedTasks(IpPrefix pool) {
    List<org.clusteripam.core.perhost.NodeTasks> out = new ArrayList<>();
    store
        .list(Keys.tasksOf(pool))
        .forEach(
            (k, v) -> out.add(org.clusteripam.core.perhost.NodeTasksCodec.decode(k, v.value())));
    return out;
  }

  @Override
  public List<CatalogService> catalog(IpPrefix pool) {
    List<CatalogService> out = new ArrayList<>();
    store
        .list(Keys.catalogOf(pool))
        .forEach((k, v) -> out.add(StateCodec.decodeCatalog(k, v.value())));
    return out;
  }

  @Override
  public List<PlaceholderMapping> placeholderMappings(IpPrefix pool) {
    List<PlaceholderMapping> out = new ArrayList<>();
    store
        .list(Keys.placeholdersOf(pool))
        .forEach((k, v) -> out.add(StateCodec.decodeMapping(k, v.value())));
    out.sort(java.util.Comparator.comparing(PlaceholderMapping::placeholder));
    return out;
  }

  @Override
  public List<IpPrefix> perHostPools() {
    return perHostRecords(null).stream().map(PoolRecord::prefix).toList();
  }

  @Override
  public Optional<IpPrefix> placeholderRange(IpPrefix pool) {
    return store
        .transact("placeholderRange", v -> new StateView(v, decodeCache).livePool(pool))
        .flatMap(r -> PoolModes.of(r).placeholders());
  }

  /**
   * The per-host pools (those {@code holder} holds, unless null): one listing of the pool records.
   */
  private List<PoolRecord> perHostRecords(Holder holder) {
    return store.transact(
        "perHostPools",
        v -> {
          StateView sv = new StateView(v, decodeCache);
          List<PoolRecord> out = new ArrayList<>();
          for (PoolRecord r : sv.allPools()) {
            if (!r.deleting()
                && PoolModes.of(r).placeholders().isPresent()
                && (holder == null || sv.holder(r.prefix(), holder).isPresent())) {
              out.add(r);
            }
          }
          return out;
        });
  }

  /** The id under which a host's local network names {@code pool}. */
  private PoolId localPoolId(IpPrefix pool) {
    return new PoolRef(config.addressSpaces().local(), false, pool).id();
  }

  @Override
  public List<ServiceVip> syncServiceVips(HostId host) {
    List<ServiceVip> out = new ArrayList<>();
    for (PoolRecord r : perHostRecords(Holder.of(host))) {
      PoolId id = localPoolId(r.prefix());
      java.util.Set<String> wanted = new java.util.TreeSet<>();
      catalog(r.prefix()).forEach(s -> wanted.add(s.serviceId()));
      publishedTasks(r.prefix()).forEach(n -> n.tasks().forEach(t -> wanted.add(t.serviceId())));
      java.util.Set<String> held = new java.util.TreeSet<>();
      for (ServiceVip vip : serviceVips(host, id)) {
        if (wanted.contains(vip.serviceId())) {
          held.add(vip.serviceId());
        } else {
          releaseServiceVip(host, id, vip.serviceId());
        }
      }
      for (String s : wanted) {
        if (!held.contains(s)) {
          requestServiceVip(host, id, s);
        }
      }
      out.addAll(serviceVips(host, id));
    }
    return out;
  }

  @Override
  public LbDesiredState lbDesiredState(HostId host) {
    // The per-host loop asks this on every host every pass: it reads only the pools this host
    // holds (a whole-store snapshot here would make every host read the cluster's state each
    // pass). Queries that are asked now and then (/v1/lb, lb-state) plan from the snapshot.
    List<LbPlanner.PoolState> pools = new ArrayList<>();
    for (PoolRecord r : perHostRecords(Holder.of(host))) {
      TreeMap<String, IpAddress> vips = new TreeMap<>();
      serviceVips(host, localPoolId(r.prefix())).forEach(v -> vips.put(v.serviceId(), v.address()));
      pools.add(
          new LbPlanner.PoolState(
              r.prefix(),
              catalog(r.prefix()),
              placeholderMappings(r.prefix()),
              vips,
              publishedTasks(r.prefix())));
    }
    return LbPlanner.plan(host, pools);
  }

  @Override
  public boolean advertise(HostId host, IpAddress address) {
    return AdvertisedAddresses.put(store, host, address);
  }

  @Override
  public void unadvertise(HostId host) {
    AdvertisedAddresses.delete(store, host);
  }

  @Override
  public java.util.SortedMap<HostId, IpAddress> advertisedAddresses() {
    return AdvertisedAddresses.read(store).byHost();
  }

  @Override
  public AutoCloseable watchRoutePlanInputs(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    // What a route plan reads: the pools, who owns which block (each holder's affinity key), the
    // advertised addresses.
    List<AutoCloseable> watches = new ArrayList<>();
    try {
      for (String prefix : List.of(Keys.POOLS, Keys.AFFINITY, Keys.ADVERTISE)) {
        watches.add(store.watch(prefix, k -> onChange.run()));
      }
    } catch (RuntimeException e) {
      closeAll(watches);
      throw e;
    }
    return () -> closeAll(watches);
  }

  private static void closeAll(List<AutoCloseable> watches) {
    RuntimeException failed = null;
    for (AutoCloseable w : watches) {
      try {
        w.close();
      } catch (Exception e) {
        failed =
            failed == null ? new IllegalStateException("closing a store watch failed", e) : failed;
      }
    }
    if (failed != null) {
      throw failed;
    }
  }

  @Override
  public org.clusteripam.core.perhost.RoutePlan routePlan(HostId host) {
    List<org.clusteripam.core.perhost.RoutePlanner.PoolBlocks> pools =
        store.transact(
            "routePlan",
            v -> {
              StateView sv = new StateView(v, decodeCache);
              List<org.clusteripam.core.perhost.RoutePlanner.PoolBlocks> out = new ArrayList<>();
              for (PoolRecord r : sv.allPools()) {
                if (r.deleting() || PoolModes.of(r).placeholders().isEmpty()) {
                  continue;
                }
                TreeMap<IpPrefix, Holder> owners = new TreeMap<>();
                String prefix = Keys.affinityOf(r.prefix());
                sv.listRaw(prefix)
                    .forEach(
                        (k, b) ->
                            StateCodec.decodeAffinity(k, b)
                                .blocks()
                                .forEach(blk -> owners.put(blk, StateView.holderOfKey(k, prefix))));
                out.add(
                    new org.clusteripam.core.perhost.RoutePlanner.PoolBlocks(r.prefix(), owners));
              }
              return out;
            });
    return org.clusteripam.core.perhost.RoutePlanner.plan(host, pools, advertisedAddresses());
  }
}
