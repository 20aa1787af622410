package org.clusteripam.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;

/**
 * Group commit: one thread takes every transaction waiting, runs their functions one after another
 * against the cache plus the writes of those before them, and sends them as ONE etcd transaction
 * whose compares cover every key any of them read or wrote (version 0 for an absent key, the read
 * mod revision otherwise) and whose else-branch re-reads those keys. A function that throws fails
 * alone. If the compares fail, the fresh values go into the cache and the whole batch runs again,
 * with jittered back-off, up to {@code maxAttempts}.
 */
final class GroupCommitter implements AutoCloseable {
  private static final int PENDING = 0;
  private static final int TAKEN = 1;
  private static final int CANCELLED = 2;

  /** One {@code transact} call waiting for the committer. */
  static final class Request<R> {
    final String name;
    final Txn<R> txn;

    /**
     * Values peers may be writing at the same moment (see {@code StateStore.transact} with presumed
     * values); empty: none.
     */
    final Map<String, byte[]> presumed;

    final CompletableFuture<R> future = new CompletableFuture<>();
    final AtomicInteger state = new AtomicInteger(PENDING);

    /** Failed commits so far; touched only by the committer thread. */
    int attempts;

    Request(String name, Txn<R> txn, Map<String, byte[]> presumed) {
      this.name = name;
      this.txn = txn;
      Map<String, byte[]> copy = new HashMap<>();
      presumed.forEach((k, v) -> copy.put(k, v.clone()));
      this.presumed = copy;
    }

    /** True if the committer will never start it (the caller gave up first). */
    boolean cancel() {
      return state.compareAndSet(PENDING, CANCELLED);
    }
  }

  private final KV kv;
  private final KeyCodec keys;
  private final ValueCache cache;
  private final EtcdStoreConfig config;
  private final Counters counters;
  private final LinkedBlockingQueue<Request<?>> queue = new LinkedBlockingQueue<>();
  private final ArrayDeque<Request<?>> deferred = new ArrayDeque<>();
  private final Thread thread;
  private volatile boolean closed;

  /** Shared counters of the store. */
  static final class Counters {
    final AtomicLong roundTrips = new AtomicLong();
    final AtomicLong etcdTxns = new AtomicLong();
    final AtomicLong transacts = new AtomicLong();
    final AtomicLong conflicts = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong largestBatch = new AtomicLong();
    final AtomicLong functionNanos = new AtomicLong();
    final AtomicLong bytesWritten = new AtomicLong();

    EtcdStoreStats snapshot() {
      return new EtcdStoreStats(
          roundTrips.get(),
          etcdTxns.get(),
          transacts.get(),
          conflicts.get(),
          retries.get(),
          largestBatch.get(),
          functionNanos.get(),
          bytesWritten.get());
    }
  }

  GroupCommitter(
      KV kv,
      KeyCodec keys,
      ValueCache cache,
      EtcdStoreConfig config,
      Counters counters,
      String name) {
    this.kv = kv;
    this.keys = keys;
    this.cache = cache;
    this.config = config;
    this.counters = counters;
    this.thread = new Thread(this::loop, "etcd-group-commit-" + name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  <R> Request<R> submit(String name, Txn<R> txn, Map<String, byte[]> presumed) {
    Request<R> r = new Request<>(name, txn, presumed);
    queue.add(r);
    if (closed) {
      failQueue(); // the committer may be gone already
    }
    return r;
  }

  /**
   * The committer loop, pipelined: while one etcd transaction is in flight, the next batch's
   * functions already run against the cache plus the in-flight writes. If the flight commits, the
   * next batch's compares on those keys take its revision and it is sent at once; if not, a batch
   * that saw in-flight writes is re-run from scratch. At most one etcd transaction is in flight.
   */
  private void loop() {
    Flight flight = null;
    while (!closed) {
      Attempt current = null;
      try {
        if (flight != null && awaitHalfRoundTrip(flight)) {
          finish(flight); // answered early: no need to speculate, let the next batch grow
          flight = null;
          continue;
        }
        Group next = nextGroup(flight == null);
        if (next == null) {
          if (flight != null) {
            finish(flight);
            flight = null;
          }
          continue;
        }
        if (next.backOff && flight == null) {
          counters.retries.incrementAndGet();
          backOff(next.members.stream().mapToInt(r -> r.attempts).max().orElse(1));
        }
        Attempt a = run(next.members, flight);
        current = a;
        if (flight != null) {
          boolean committed = finish(flight);
          Flight done = flight;
          flight = null;
          if (!a.fromFlight.isEmpty()) {
            if (!committed) {
              retryLater(a); // it saw writes that never happened
              continue;
            }
            a.settle(done);
          }
        }
        a.thrown.forEach((r, e) -> r.future.completeExceptionally(e));
        if (a.included.isEmpty()) {
          continue;
        }
        if (a.pinned.isEmpty()) {
          complete(a); // read nothing, wrote nothing
          continue;
        }
        flight = send(a);
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException | Error e) {
        // a bug or a client failure: nobody waiting may be left hanging
        if (flight != null) {
          flight.attempt.included.forEach(r -> r.future.completeExceptionally(e));
          flight = null;
        }
        if (current != null) {
          current.included.forEach(r -> r.future.completeExceptionally(e));
          current.thrown.forEach((r, t) -> r.future.completeExceptionally(t));
        }
      }
    }
    if (flight != null) {
      try {
        finish(flight);
      } catch (RuntimeException ignored) {
        // its callers got the failure
      }
    }
    failQueued();
  }

  /** A group of requests to run together; {@code backOff} after a conflict on a hot key. */
  private record Group(List<Request<?>> members, boolean backOff) {}

  /** An etcd transaction sent and not yet answered. */
  private record Flight(Attempt attempt, CompletableFuture<TxnResponse> response, long sentNanos) {}

  /** Moving average of commit round trips; starts at 2 ms. */
  private long roundTripNanos = 2_000_000;

  /**
   * Speculating costs batch size (requests that would have joined a later, larger batch go out in a
   * smaller one), so the next batch starts only half a round trip after the flight was sent: cheap
   * functions then wait for the answer and batch up, costly ones still overlap it. Returns true if
   * the flight was answered meanwhile.
   */
  private boolean awaitHalfRoundTrip(Flight f) throws InterruptedException {
    long wait = f.sentNanos + roundTripNanos / 2 - System.nanoTime();
    if (wait > 0) {
      try {
        f.response.get(wait, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException
          | java.util.concurrent.ExecutionException notYetOrFailed) {
        // finish() reports failures
      }
    }
    return f.response.isDone();
  }

  private final ArrayDeque<Group> retries = new ArrayDeque<>();

  /**
   * Retry groups first, then deferred and queued requests; blocks briefly only when {@code
   * mayWait}.
   */
  private Group nextGroup(boolean mayWait) throws InterruptedException {
    while (!retries.isEmpty()) {
      Group g = retries.poll();
      List<Request<?>> live = new ArrayList<>(g.members);
      live.removeIf(r -> r.future.isDone());
      if (!live.isEmpty()) {
        return new Group(live, g.backOff);
      }
    }
    List<Request<?>> batch = new ArrayList<>(deferred);
    deferred.clear();
    if (batch.isEmpty()) {
      Request<?> first = mayWait ? queue.poll(200, TimeUnit.MILLISECONDS) : queue.poll();
      if (first == null) {
        return null;
      }
      batch.add(first);
    }
    queue.drainTo(batch, config.maxBatchOps());
    List<Request<?>> live = new ArrayList<>(batch.size());
    for (Request<?> r : batch) {
      if (r.state.get() == TAKEN || r.state.compareAndSet(PENDING, TAKEN)) {
        live.add(r);
      }
    }
    return live.isEmpty() ? nextGroup(mayWait) : new Group(live, false);
  }

  private void retryLater(Attempt a) {
    List<Request<?>> again = new ArrayList<>(a.included);
    again.addAll(a.thrown.keySet());
    retries.addFirst(new Group(again, false));
  }

  /**
   * Waits for the flight's answer. Committed: the cache takes its writes and its callers get their
   * results. Compares failed: the fresh values go into the cache and the members are split for
   * retry (see {@link #split}). Unreachable: its callers get {@link StoreUnavailableException}.
   */
  private boolean finish(Flight f) {
    Attempt a = f.attempt;
    TxnResponse resp;
    try {
      String names =
          a.included.size() == 1
              ? a.included.get(0).name
              : a.included.size() + " batched transactions";
      resp = EtcdCalls.await(f.response, config.timeout(), "commit " + names);
    } catch (StoreUnavailableException e) {
      a.included.forEach(r -> r.future.completeExceptionally(e));
      return false;
    }
    roundTripNanos = (roundTripNanos * 7 + (System.nanoTime() - f.sentNanos)) / 8;
    if (resp.isSucceeded()) {
      long rev = resp.getHeader().getRevision();
      a.revision = rev;
      a.writes.forEach((k, v) -> cache.apply(k, v, rev));
      counters.bytesWritten.addAndGet(putBytes(a.writes));
      counters.largestBatch.accumulateAndGet(a.included.size(), Math::max);
      complete(a);
      return true;
    }
    if (a.alternative != null) {
      TxnResponse nested = resp.getTxnResponses().get(0);
      long rev = resp.getHeader().getRevision();
      if (nested.isSucceeded()) {
        // A peer wrote what this member presumed: its alternative committed, no retry.
        Alternative alt = a.alternative;
        alt.writes().forEach((k, v) -> cache.apply(k, v, rev));
        List<String> read = alt.presumedRead();
        List<GetResponse> got = nested.getGetResponses();
        for (int i = 0; i < read.size() && i < got.size(); i++) {
          List<KeyValue> kvs = got.get(i).getKvs();
          if (!kvs.isEmpty()) {
            cache.apply(read.get(i), kvs.get(0).getValue().getBytes(), kvs.get(0).getModRevision());
          }
        }
        counters.bytesWritten.addAndGet(putBytes(alt.writes()));
        counters.transacts.incrementAndGet();
        completeWith(alt.member(), alt.result());
        return false; // the primary writes, which a next batch may have read, did not happen
      }
      resp = nested;
    }
    counters.conflicts.incrementAndGet();
    split(a, refresh(a, resp));
    return false;
  }

  @SuppressWarnings("unchecked")
  private static void completeWith(Request<?> r, Object result) {
    ((CompletableFuture<Object>) r.future).complete(result);
  }

  /**
   * Key (with the prefix) plus value bytes of the puts among {@code writes}; deletions count
   * nothing.
   */
  private long putBytes(Map<String, byte[]> writes) {
    long n = 0;
    for (Map.Entry<String, byte[]> e : writes.entrySet()) {
      if (e.getValue() != null) {
        n += keys.full(e.getKey()).size() + e.getValue().length;
      }
    }
    return n;
  }

  /**
   * After a conflict: members that touched a key someone else changed (or read a key such a member
   * wrote) retry after a jittered back-off, the others at once, so one member reading a hot key
   * does not drag its neighbours through its retries. A member out of attempts fails with {@link
   * StoreConflictException}.
   */
  private void split(Attempt a, java.util.Set<String> changed) {
    List<Request<?>> hit = new ArrayList<>();
    List<Request<?>> clean = new ArrayList<>();
    java.util.Set<String> hitWrites = new java.util.HashSet<>();
    for (Request<?> r : a.included) {
      boolean isHit =
          a.touched.get(r).stream().anyMatch(k -> changed.contains(k) || hitWrites.contains(k));
      if (isHit) {
        hitWrites.addAll(a.wrote.get(r));
      }
      if (++r.attempts >= config.maxAttempts()) {
        r.future.completeExceptionally(
            new StoreConflictException(
                "transaction "
                    + r.name
                    + " kept conflicting with concurrent writers in etcd after "
                    + r.attempts
                    + " attempts"));
      } else {
        (isHit || changed.isEmpty() ? hit : clean).add(r);
      }
    }
    if (!hit.isEmpty()) {
      retries.addFirst(new Group(hit, true));
    }
    if (!clean.isEmpty()) {
      retries.addFirst(new Group(clean, false));
    }
  }

  /**
   * Runs the members' functions, each against the cache (plus the writes of {@code flight}, if any)
   * plus the writes of the members before it. Exceptions are collected, not yet delivered: a
   * function that saw in-flight writes may have thrown only because of them.
   */
  private Attempt run(List<Request<?>> members, Flight flight) {
    Attempt a = new Attempt(flight == null ? null : flight.attempt.writes);
    for (Request<?> r : members) {
      if (a.alternative != null || (!r.presumed.isEmpty() && !a.included.isEmpty())) {
        deferred.add(r); // a member with an alternative goes out first and alone
        continue;
      }
      MemberView view = new MemberView(a, Map.of());
      Object result;
      long t0 = System.nanoTime();
      try {
        result = r.txn.run(view);
      } catch (RuntimeException | Error e) {
        a.thrown.put(r, e); // fails alone; its writes are dropped
        a.fromFlight.addAll(view.fromFlight);
        continue;
      } finally {
        counters.functionNanos.addAndGet(System.nanoTime() - t0);
      }
      if (!a.included.isEmpty() && wouldExceed(a, view)) {
        deferred.add(r); // next batch
        continue;
      }
      a.pinned.putAll(view.pinned);
      a.fromFlight.addAll(view.fromFlight);
      a.writes.putAll(view.writes);
      a.included.add(r);
      a.results.put(r, result);
      a.touched.put(r, view.touched);
      a.wrote.put(r, view.writes.keySet());
      if (!r.presumed.isEmpty() && view.fromFlight.isEmpty()) {
        a.alternative = alternative(r, view, a.flightWrites);
      }
    }
    return a;
  }

  /**
   * The member's function run again against the values it presumes peers are writing, if it read at
   * least one of them as absent (else there is no race to lose) and neither run read in-flight
   * writes; null when there is no alternative.
   */
  private Alternative alternative(
      Request<?> r, MemberView primary, TreeMap<String, byte[]> flightWrites) {
    boolean racing = false;
    for (String k : r.presumed.keySet()) {
      ValueCache.Entry e = primary.pinned.get(k);
      if (e != null && e.present()) {
        return null;
      }
      racing |= e != null;
    }
    if (!racing) {
      return null;
    }
    MemberView view = new MemberView(new Attempt(flightWrites), r.presumed);
    Object result;
    long t0 = System.nanoTime();
    try {
      result = r.txn.run(view);
    } catch (RuntimeException | Error e) {
      return null; // the primary run decides alone
    } finally {
      counters.functionNanos.addAndGet(System.nanoTime() - t0);
    }
    if (!view.fromFlight.isEmpty()
        || view.writes.size() > config.maxBatchOps()
        || view.pinned.size() > config.maxBatchOps()) {
      return null;
    }
    return new Alternative(r, view.pinned, view.writes, result);
  }

  /**
   * What a member commits instead when its compares fail because peers wrote exactly what it
   * presumed: its reads (presumed keys compared by value), writes and result.
   */
  private record Alternative(
      Request<?> member,
      Map<String, ValueCache.Entry> pinned,
      TreeMap<String, byte[]> writes,
      Object result) {
    /** The presumed keys it read, in a fixed order. */
    List<String> presumedRead() {
      return pinned.keySet().stream().filter(member.presumed::containsKey).sorted().toList();
    }
  }

  /** Fails what waits in the (thread-safe) queue. */
  private void failQueue() {
    Request<?> r;
    while ((r = queue.poll()) != null) {
      closedError(r);
    }
  }

  /** Fails everything still waiting; only on the committer thread, or after it ended. */
  private void failQueued() {
    failQueue();
    Request<?> r;
    while ((r = deferred.poll()) != null) {
      closedError(r);
    }
    Group g;
    while ((g = retries.poll()) != null) {
      g.members.forEach(GroupCommitter::closedError);
    }
  }

  private static void closedError(Request<?> r) {
    r.future.completeExceptionally(
        new StoreUnavailableException(
            "etcd store is closed; " + r.name + " was not committed", null));
  }

  /** The state of one attempt at a batch: pinned reads, compares, merged writes. */
  private final class Attempt {
    /**
     * Writes of the transaction in flight while this one ran (null: none), and the keys read from
     * them.
     */
    final TreeMap<String, byte[]> flightWrites;

    final java.util.Set<String> fromFlight = new java.util.HashSet<>();
    final Map<Request<?>, Throwable> thrown = new java.util.LinkedHashMap<>();

    /** Commit revision once committed. */
    long revision;

    /**
     * The alternative of the (then only) member, sent as the else-branch's nested transaction;
     * null: none.
     */
    Alternative alternative;

    Attempt(TreeMap<String, byte[]> flightWrites) {
      this.flightWrites = flightWrites;
    }

    /** The flight committed: keys read from its writes are compared against its revision. */
    void settle(Flight done) {
      for (String k : fromFlight) {
        if (pinned.containsKey(k)) {
          pinned.put(k, new ValueCache.Entry(flightWrites.get(k), done.attempt.revision));
        }
      }
    }

    /** First value seen of each key in this attempt; later members see the same one. */
    final Map<String, ValueCache.Entry> pinned = new HashMap<>();

    /** Writes of the members included so far; null is a deletion. */
    final TreeMap<String, byte[]> writes = new TreeMap<>();

    final List<Request<?>> included = new ArrayList<>();
    final Map<Request<?>, Object> results = new HashMap<>();

    /** Per member: every key it read or wrote, and the keys it wrote. */
    final Map<Request<?>, java.util.Set<String>> touched = new HashMap<>();

    final Map<Request<?>, java.util.Set<String>> wrote = new HashMap<>();

    /** Keys in the order of the compares and of the else-branch re-reads. */
    final List<String> compared = new ArrayList<>();
  }

  private boolean wouldExceed(Attempt a, MemberView v) {
    int compares = a.pinned.size();
    for (String k : v.pinned.keySet()) {
      if (!a.pinned.containsKey(k)) {
        compares++;
      }
    }
    int writes = a.writes.size();
    for (String k : v.writes.keySet()) {
      if (!a.writes.containsKey(k)) {
        writes++;
      }
    }
    return compares > config.maxBatchOps() || writes > config.maxBatchOps();
  }

  @SuppressWarnings("unchecked")
  private void complete(Attempt a) {
    counters.transacts.addAndGet(a.included.size());
    for (Request<?> r : a.included) {
      ((CompletableFuture<Object>) r.future).complete(a.results.get(r));
    }
  }

  private Flight send(Attempt a) {
    List<Cmp> cmps = new ArrayList<>(a.pinned.size());
    List<Op> reread = new ArrayList<>(a.pinned.size());
    for (Map.Entry<String, ValueCache.Entry> e : a.pinned.entrySet()) {
      ByteSequence k = keys.full(e.getKey());
      a.compared.add(e.getKey());
      cmps.add(
          e.getValue().present()
              ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(e.getValue().modRevision()))
              : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)));
      reread.add(Op.get(k, GetOption.DEFAULT));
    }
    List<Op> ops = new ArrayList<>(a.writes.size());
    a.writes.forEach(
        (k, v) ->
            ops.add(
                v == null
                    ? Op.delete(keys.full(k), DeleteOption.DEFAULT)
                    : Op.put(keys.full(k), ByteSequence.from(v), PutOption.DEFAULT)));
    Op[] otherwise = reread.toArray(Op[]::new);
    Alternative alt = a.alternative;
    if (alt != null) {
      // Else: if every key the alternative read is as it read it (the presumed ones by value),
      // commit its writes; else re-read every key either run read.
      List<Cmp> altCmps = new ArrayList<>(alt.pinned().size());
      for (Map.Entry<String, ValueCache.Entry> e : alt.pinned().entrySet()) {
        ByteSequence k = keys.full(e.getKey());
        byte[] presumed = alt.member().presumed.get(e.getKey());
        if (!a.pinned.containsKey(e.getKey())) {
          a.compared.add(e.getKey());
          reread.add(Op.get(k, GetOption.DEFAULT));
        }
        altCmps.add(
            presumed != null
                ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(presumed)))
                : e.getValue().present()
                    ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(e.getValue().modRevision()))
                    : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)));
      }
      List<Op> altOps = new ArrayList<>(alt.writes().size());
      alt.writes()
          .forEach(
              (k, v) ->
                  altOps.add(
                      v == null
                          ? Op.delete(keys.full(k), DeleteOption.DEFAULT)
                          : Op.put(keys.full(k), ByteSequence.from(v), PutOption.DEFAULT)));
      // the peer's values with their revisions, for the cache: this host's watch may lag behind
      alt.presumedRead().forEach(k -> altOps.add(Op.get(keys.full(k), GetOption.DEFAULT)));
      otherwise =
          new Op[] {
            Op.txn(
                altCmps.toArray(Cmp[]::new), altOps.toArray(Op[]::new), reread.toArray(Op[]::new))
          };
    }
    counters.roundTrips.incrementAndGet();
    counters.etcdTxns.incrementAndGet();
    CompletableFuture<TxnResponse> f =
        kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).Else(otherwise).commit();
    return new Flight(a, f, System.nanoTime());
  }

  /**
   * Puts the values etcd returned for the compared keys (in compare order) into the cache and
   * returns the keys whose value differs from what the attempt used.
   */
  private java.util.Set<String> refresh(Attempt a, TxnResponse resp) {
    long rev = resp.getHeader().getRevision();
    java.util.Set<String> changed = new java.util.HashSet<>();
    List<GetResponse> gets = resp.getGetResponses();
    for (int i = 0; i < gets.size() && i < a.compared.size(); i++) {
      String key = a.compared.get(i);
      ValueCache.Entry used = a.pinned.get(key);
      List<KeyValue> kvs = gets.get(i).getKvs();
      if (kvs.isEmpty()) {
        cache.apply(key, null, rev); // absent at rev
        if (used.present()) {
          changed.add(key);
        }
      } else {
        cache.apply(key, kvs.get(0).getValue().getBytes(), kvs.get(0).getModRevision());
        if (!used.present() || used.modRevision() != kvs.get(0).getModRevision()) {
          changed.add(key);
        }
      }
    }
    return changed;
  }

  /**
   * No pause for the first two retries: the else-branch just returned fresh values, and the sooner
   * the retry commits, the smaller its window for another conflict. Then jittered exponential
   * back-off (up to 2^n ms, at most 50 ms) so that peers fighting over one key spread out.
   */
  private static void backOff(int attemptNo) {
    if (attemptNo <= 2) {
      return;
    }
    int maxMillis = Math.min(50, 1 << Math.min(attemptNo, 6));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(maxMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(config.timeout().toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      failQueue();
    } else {
      failQueued();
    }
  }

  /** One member's view: its own writes over the batch's writes over the pinned cache values. */
  private final class MemberView implements TxnView {
    private final Attempt batch;
    final Map<String, ValueCache.Entry> pinned = new HashMap<>();
    final TreeMap<String, byte[]> writes = new TreeMap<>();
    final java.util.Set<String> touched = new java.util.HashSet<>();
    final java.util.Set<String> fromFlight = new java.util.HashSet<>();

    /** Values read instead of the cache's (presumed written by a peer). */
    private final Map<String, byte[]> overrides;

    MemberView(Attempt batch, Map<String, byte[]> overrides) {
      this.batch = batch;
      this.overrides = overrides;
    }

    private ValueCache.Entry base(String key) {
      touched.add(key);
      ValueCache.Entry e = batch.pinned.get(key);
      if (e == null) {
        e = pinned.computeIfAbsent(key, this::lookup);
      }
      return e;
    }

    /**
     * The in-flight transaction's write of {@code key} if it has one (revision unknown yet), else
     * the cache.
     */
    private ValueCache.Entry lookup(String key) {
      byte[] presumed = overrides.get(key);
      if (presumed != null) {
        return new ValueCache.Entry(presumed, -1);
      }
      if (batch.flightWrites != null && batch.flightWrites.containsKey(key)) {
        fromFlight.add(key);
        return new ValueCache.Entry(batch.flightWrites.get(key), -1);
      }
      return cache.get(key);
    }

    @Override
    public Optional<byte[]> get(String key) {
      if (writes.containsKey(key)) {
        return Optional.ofNullable(writes.get(key)).map(byte[]::clone);
      }
      ValueCache.Entry e = base(key); // tracked, even when an earlier member wrote it
      if (batch.writes.containsKey(key)) {
        return Optional.ofNullable(batch.writes.get(key)).map(byte[]::clone);
      }
      return e.present() ? Optional.of(e.value().clone()) : Optional.empty();
    }

    @Override
    public SortedMap<String, byte[]> list(String prefix) {
      TreeMap<String, byte[]> out = new TreeMap<>();
      cache.list(prefix).keySet().forEach(k -> get(k).ifPresent(v -> out.put(k, v)));
      String end = prefix + Character.MAX_VALUE;
      overrides.keySet().stream()
          .filter(k -> k.startsWith(prefix))
          .forEach(k -> get(k).ifPresent(v -> out.put(k, v)));
      if (batch.flightWrites != null) {
        batch
            .flightWrites
            .subMap(prefix, end)
            .keySet()
            .forEach(k -> get(k).ifPresentOrElse(v -> out.put(k, v), () -> out.remove(k)));
      }
      batch
          .writes
          .subMap(prefix, end)
          .keySet()
          .forEach(k -> get(k).ifPresentOrElse(v -> out.put(k, v), () -> out.remove(k)));
      writes
          .subMap(prefix, end)
          .forEach(
              (k, v) -> {
                if (v == null) {
                  out.remove(k);
                } else {
                  out.put(k, v.clone());
                }
              });
      return out;
    }

    @Override
    public SortedMap<String, byte[]> scan(String prefix) {
      // The same view as list(), read without pinning: no key joins the commit's compares.
      TreeMap<String, byte[]> out = new TreeMap<>();
      cache
          .list(prefix)
          .forEach(
              (k, e) -> {
                if (e.present()) {
                  out.put(k, e.value().clone());
                }
              });
      String end = prefix + Character.MAX_VALUE;
      overrides.forEach(
          (k, v) -> {
            if (k.startsWith(prefix)) {
              out.put(k, v.clone());
            }
          });
      if (batch.flightWrites != null) {
        overlay(out, batch.flightWrites.subMap(prefix, end));
      }
      overlay(out, batch.writes.subMap(prefix, end));
      overlay(out, writes.subMap(prefix, end));
      return out;
    }

    private static void overlay(TreeMap<String, byte[]> out, java.util.Map<String, byte[]> writes) {
      writes.forEach(
          (k, v) -> {
            if (v == null) {
              out.remove(k);
            } else {
              out.put(k, v.clone());
            }
          });
    }

    @Override
    public void put(String key, byte[] value) {
      KeyCodec.check(key);
      if (value == null) {
        throw new IllegalArgumentException(
            "value of store key \"" + key + "\" must not be null (use delete)");
      }
      base(key); // every write is compared: never an unconditional put
      writes.put(key, value.clone());
    }

    @Override
    public void delete(String key) {
      KeyCodec.check(key);
      base(key);
      writes.put(key, null);
    }
  }
}
