package org.clusteripam.testkit.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;
import org.clusteripam.core.store.StateStore;

/**
 * A stateful action chain for any store: random puts, deletes, multi-key transactions, failing
 * transactions, transactions hit by a concurrent write, and reopening; after every step the store
 * must equal a plain map model and its revision must not have gone back.
 */
public final class StoreChain implements AutoCloseable {
  private final StoreBacking backing;
  private final TreeMap<String, String> model = new TreeMap<>();
  private StateStore a;
  private StateStore b;
  private long lastRevision;

  public StoreChain(StoreBacking backing) {
    this.backing = backing;
    openInstances();
  }

  private void openInstances() {
    a = backing.open();
    b = backing.independentInstances() ? backing.open() : a;
  }

  /** The chain arbitrary; the chain's states are closed by the caller via {@link #close()}. */
  public static ActionChainArbitrary<StoreChain> chains(Supplier<StoreChain> start) {
    return ActionChain.<StoreChain>startWith(start)
        .withAction(3, new Put())
        .withAction(2, new Delete())
        .withAction(2, new MultiWrite())
        .withAction(1, new Failing())
        .withAction(2, new Raced())
        .withAction(1, new Reopen())
        .withMaxTransformations(25);
  }

  public static ActionChain<StoreChain> checked(ActionChain<StoreChain> chain) {
    return chain.withInvariant("store equals model", StoreChain::check);
  }

  private static final Arbitrary<String> KEYS = Arbitraries.of("a", "b/1", "b/2", "c/x/y", "d");
  private static final Arbitrary<String> VALUES = Arbitraries.strings().alpha().ofMaxLength(6);

  void check() {
    TreeMap<String, String> actual = new TreeMap<>();
    a.list("").forEach((k, v) -> actual.put(k, new String(v.value(), UTF_8)));
    assertThat(actual).isEqualTo(model);
    long rev = a.revision();
    assertThat(rev).isGreaterThanOrEqualTo(lastRevision);
    lastRevision = rev;
  }

  @Override
  public void close() {
    if (b != a) {
      b.close();
    }
    a.close();
    backing.close();
  }

  static final class Put implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return Combinators.combine(KEYS, VALUES)
          .as(
              (k, v) ->
                  Transformer.mutate(
                      "put " + k + "=" + v,
                      s -> {
                        StateStoreContract.put(s.a, k, v);
                        s.model.put(k, v);
                      }));
    }
  }

  static final class Delete implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return KEYS.map(
          k ->
              Transformer.mutate(
                  "delete " + k,
                  s -> {
                    s.b.transact(
                        "delete",
                        v -> {
                          v.delete(k);
                          return null;
                        });
                    s.model.remove(k);
                  }));
    }
  }

  static final class MultiWrite implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return Combinators.combine(KEYS, KEYS, VALUES)
          .as(
              (k1, k2, v) ->
                  Transformer.mutate(
                      "move " + k1 + " to " + k2 + " +" + v,
                      s -> {
                        String moved =
                            s.a.transact(
                                "move",
                                view -> {
                                  String old =
                                      view.get(k1).map(x -> new String(x, UTF_8)).orElse("");
                                  view.delete(k1);
                                  view.put(k2, (old + v).getBytes(UTF_8));
                                  return old + v;
                                });
                        s.model.remove(k1);
                        s.model.put(k2, moved);
                      }));
    }
  }

  static final class Failing implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return KEYS.map(
          k ->
              Transformer.mutate(
                  "failing txn on " + k,
                  s ->
                      assertThatThrownBy(
                              () ->
                                  s.a.transact(
                                      "failing",
                                      v -> {
                                        v.put(k, "never".getBytes(UTF_8));
                                        v.delete("a");
                                        throw new IllegalStateException("refused");
                                      }))
                          .hasMessage("refused")));
    }
  }

  /**
   * Appends to a key; on an independent backing another instance writes it after the first read.
   */
  static final class Raced implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return Combinators.combine(KEYS, VALUES)
          .as(
              (k, v) ->
                  Transformer.mutate(
                      "raced append " + v + " to " + k,
                      s -> {
                        AtomicInteger runs = new AtomicInteger();
                        String result =
                            s.a.transact(
                                "append",
                                view -> {
                                  String old =
                                      view.get(k).map(x -> new String(x, UTF_8)).orElse("");
                                  if (runs.getAndIncrement() == 0 && s.b != s.a) {
                                    StateStoreContract.put(
                                        s.b, k, "racer"); // lands between our read and our commit
                                  }
                                  view.put(k, (old + v).getBytes(UTF_8));
                                  return old + v;
                                });
                        if (s.b != s.a) {
                          assertThat(runs.get()).isGreaterThanOrEqualTo(2);
                          assertThat(result).isEqualTo("racer" + v);
                        }
                        s.model.put(k, result);
                      }));
    }
  }

  static final class Reopen implements Action.Independent<StoreChain> {
    @Override
    public Arbitrary<Transformer<StoreChain>> transformer() {
      return Arbitraries.just(
          Transformer.mutate(
              "reopen",
              s -> {
                if (s.b != s.a) {
                  s.b.close();
                }
                s.a.close();
                s.openInstances();
                if (!s.backing.durable()) {
                  s.model.clear();
                }
              }));
    }
  }

  /**
   * Keeps every chain state created by a property so it can be closed even when the chain fails.
   */
  public static final class Tracker {
    private final java.util.List<StoreChain> states =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    public StoreChain track(StoreChain s) {
      states.add(s);
      return s;
    }

    public void closeAll() {
      for (StoreChain s : states) {
        try {
          s.close();
        } catch (RuntimeException ignored) {
          // best effort
        }
      }
      states.clear();
    }
  }
}
