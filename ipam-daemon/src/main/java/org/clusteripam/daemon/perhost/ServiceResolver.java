package org.clusteripam.daemon.perhost;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.NameAnswers;
import org.clusteripam.dns.DnsAnswer;
import org.clusteripam.dns.DnsQuestion;
import org.clusteripam.dns.DnsResponder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's resolver for service names (UDP): answers from this host's last load-balancer plan
 * ({@link NameAnswers}), so a name always resolves to an address this host balances. Meant as the
 * upstream of Docker's embedded DNS ({@code --dns ADDR} on the service): Docker answers container
 * names itself and forwards the rest; names that are not services are REFUSED, so Docker asks its
 * next server. An address that is not local yet (the network's bridge not created on this host) is
 * bound as soon as it is: retried every second.
 */
public final class ServiceResolver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceResolver.class);

  /** Short: a service's VIP on this host changes when the service is re-created. */
  static final int TTL_SECONDS = 5;

  private static final long RETRY_MS = 1000;

  private final Supplier<Optional<LbDesiredState>> plan;
  private final List<Thread> threads = new ArrayList<>();
  private final List<DatagramChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private ServiceResolver(Supplier<Optional<LbDesiredState>> plan) {
    this.plan = plan;
  }

  /** Binds each address (retrying until it is local) and serves it on a thread of its own. */
  public static ServiceResolver listen(
      List<InetSocketAddress> addresses, Supplier<Optional<LbDesiredState>> plan) {
    ServiceResolver r = new ServiceResolver(plan);
    for (InetSocketAddress a : addresses) {
      r.thread("ipam-dns-" + a, () -> r.bindAndServe(a));
    }
    return r;
  }

  /** Serves a channel already bound (e.g. inside another network namespace). */
  public static ServiceResolver serving(
      DatagramChannel bound, Supplier<Optional<LbDesiredState>> plan) {
    ServiceResolver r = new ServiceResolver(plan);
    r.channels.add(bound);
    r.thread("ipam-dns", () -> r.serve(bound));
    return r;
  }

  private void thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void bindAndServe(InetSocketAddress a) {
    String lastError = null;
    while (!closed) {
      DatagramChannel ch = null;
      try {
        ch = DatagramChannel.open();
        ch.bind(a);
        channels.add(ch);
        LOG.info("event=dns_listening addr={}", a);
        serve(ch);
        return;
      } catch (IOException e) {
        closeQuietly(ch);
        if (!e.toString().equals(lastError)) {
          LOG.info(
              "event=dns_bind_waiting addr={} error=\"{}\" action=\"retrying every second (the address may not be local yet)\"",
              a,
              e);
          lastError = e.toString();
        }
        try {
          Thread.sleep(RETRY_MS);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void serve(DatagramChannel ch) {
    ByteBuffer buf = ByteBuffer.allocate(1500);
    while (!closed) {
      try {
        buf.clear();
        SocketAddress from = ch.receive(buf);
        Optional<IpAddress> client =
            from instanceof InetSocketAddress i
                ? Optional.of(IpAddress.fromInetAddress(i.getAddress()))
                : Optional.empty();
        Optional<byte[]> reply =
            DnsResponder.respond(buf.array(), buf.position(), q -> answer(q, client));
        if (reply.isPresent()) {
          ch.send(ByteBuffer.wrap(reply.get()), from);
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("event=dns_query_failed error=\"{}\"", e.toString());
      }
    }
  }

  /** The answer of this host's plan; before the first plan every name is someone else's. */
  DnsAnswer answer(DnsQuestion q, Optional<IpAddress> client) {
    Optional<LbDesiredState> p = plan.get();
    if (p.isEmpty()) {
      return new DnsAnswer.NotOurs();
    }
    IpFamily family = q.type() == DnsQuestion.AAAA ? IpFamily.IPV6 : IpFamily.IPV4;
    Optional<List<IpAddress>> a = NameAnswers.answer(p.get(), q.name(), family, client);
    if (a.isEmpty()) {
      return new DnsAnswer.NotOurs();
    }
    // A question of another type (MX, TXT...) for a service name: NODATA.
    return new DnsAnswer.Addresses(
        q.type() == DnsQuestion.A || q.type() == DnsQuestion.AAAA ? a.get() : List.of(),
        TTL_SECONDS);
  }

  /** Every bound address (for logs and tests). */
  public List<SocketAddress> bound() {
    List<SocketAddress> out = new ArrayList<>();
    for (DatagramChannel c : channels) {
      try {
        out.add(c.getLocalAddress());
      } catch (IOException e) {
        // closed meanwhile
      }
    }
    return out;
  }

  private static void closeQuietly(DatagramChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    channels.forEach(ServiceResolver::closeQuietly);
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
