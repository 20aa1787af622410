package org.clusteripam.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.Versioned;

/**
 * Runs actors (each a thread calling the real engine) one store call at a time, in an order a
 * schedule chooses: before each {@code transact}, {@code list} or {@code revision} an actor waits
 * until the schedule picks it. Only one actor runs at any moment, so a schedule is one
 * deterministic interleaving of the actors' transactions — a model check by enumeration.
 */
public final class Interleaver {
  private final List<Actor> actors = new ArrayList<>();
  private final ThreadLocal<Actor> current = new ThreadLocal<>();

  private final class Actor {
    final Runnable body;
    final Semaphore go = new Semaphore(0);
    final Semaphore parked = new Semaphore(0);
    volatile boolean done;
    volatile Throwable failure;

    Actor(Runnable body) {
      this.body = body;
    }
  }

  /** A store whose calls from actor threads wait for their turn. */
  public StateStore gate(StateStore inner) {
    return new ForwardingStateStore(inner) {
      @Override
      public <R> R transact(String name, Txn<R> txn) {
        turn();
        return super.transact(name, txn);
      }

      @Override
      public SortedMap<String, Versioned> list(String prefix) {
        turn();
        return super.list(prefix);
      }

      @Override
      public long revision() {
        turn();
        return super.revision();
      }

      @Override
      public Optional<Versioned> peek(String key) {
        return super.peek(key);
      }

      @Override
      public void keepAlive(String key, byte[] value, Duration ttl) {
        super.keepAlive(key, value, ttl);
      }

      @Override
      public AutoCloseable watch(String prefix, Consumer<String> listener) {
        return super.watch(prefix, listener);
      }
    };
  }

  private void turn() {
    Actor a = current.get();
    if (a == null) {
      return; // the test's own thread: not scheduled
    }
    a.parked.release();
    a.go.acquireUninterruptibly();
  }

  public void actor(Runnable body) {
    actors.add(new Actor(body));
  }

  /**
   * Runs every actor to its end; {@code pick} chooses (from the step number) which waiting actor
   * makes the next store call. Returns the failures of actors, in actor order (null: none).
   */
  public List<Throwable> run(java.util.function.IntUnaryOperator pick) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (Actor a : actors) {
      Thread t =
          new Thread(
              () -> {
                current.set(a);
                a.go.acquireUninterruptibly();
                try {
                  a.body.run();
                } catch (Throwable e) {
                  a.failure = e;
                } finally {
                  a.done = true;
                  a.parked.release();
                }
              });
      t.setDaemon(true);
      threads.add(t);
      t.start();
      a.parked.release(); // not started: counts as waiting for its first turn
    }
    for (int step = 0; ; step++) {
      List<Actor> waiting = new ArrayList<>();
      for (Actor a : actors) {
        if (!a.done) {
          waiting.add(a);
        }
      }
      if (waiting.isEmpty()) {
        break;
      }
      Actor next = waiting.get(Math.floorMod(pick.applyAsInt(step), waiting.size()));
      next.parked.acquireUninterruptibly(); // it is parked at a gate (or not started)
      if (next.done) {
        continue;
      }
      next.go.release();
      next.parked.acquireUninterruptibly(); // ran one store call (or finished)
      next.parked.release(); // still parked: keep the permit for the next pick
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    List<Throwable> out = new ArrayList<>();
    actors.forEach(a -> out.add(a.failure));
    return out;
  }
}
