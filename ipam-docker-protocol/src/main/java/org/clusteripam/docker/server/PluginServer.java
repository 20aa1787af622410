package org.clusteripam.docker.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.docker.protocol.DriverProtocol;

/**
 * Docker's remote IPAM driver served over HTTP/1.1 on a Unix domain socket (Netty NIO, no native
 * library). One I/O thread parses HTTP; {@code Ipam} calls run on a bounded worker pool.
 *
 * <pre>{@code
 * try (PluginServer server = PluginServer.start(Path.of("/run/docker/plugins/cluster-ipam.sock"), ipam, node)) {
 *   ...
 * }
 * }</pre>
 */
public final class PluginServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PluginServer.class.getName());

  private final Path socket;
  private final PluginServerOptions options;
  private final EventLoopGroup loop;
  private final Channel listener;
  private final ChannelGroup connections;
  private final ExecutorService ownWorkers;
  private final InFlightCalls inFlight;
  private final AtomicBoolean closing;
  private boolean closed;

  private PluginServer(
      Path socket,
      PluginServerOptions options,
      EventLoopGroup loop,
      Channel listener,
      ChannelGroup connections,
      ExecutorService ownWorkers,
      InFlightCalls inFlight,
      AtomicBoolean closing) {
    this.socket = socket;
    this.options = options;
    this.loop = loop;
    this.listener = listener;
    this.connections = connections;
    this.ownWorkers = ownWorkers;
    this.inFlight = inFlight;
    this.closing = closing;
  }

  /** Starts with {@link PluginServerOptions#defaults()}. */
  public static PluginServer start(Path socket, Ipam ipam, HostId node) throws IOException {
    return start(socket, ipam, node, PluginServerOptions.defaults());
  }

  /**
   * Binds {@code socket} (mode 0660) and starts answering. A stale socket file left by a dead
   * process is replaced; a socket some process still listens on is refused.
   *
   * @throws IOException the socket cannot be bound (path too long, in use, not a socket, no access)
   */
  public static PluginServer start(Path socket, Ipam ipam, HostId node, PluginServerOptions options)
      throws IOException {
    DriverProtocol protocol = new DriverProtocol(ipam, node, options.callTrace(), System::nanoTime);
    Path path = socket.toAbsolutePath();
    SocketFiles.prepare(path);
    ExecutorService own = options.executor().isPresent() ? null : newWorkers(options);
    Executor workers = options.executor().isPresent() ? options.executor().get() : own;
    EventLoopGroup loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("ipam-plugin-io", true), NioIoHandler.newFactory());
    ChannelGroup connections =
        new DefaultChannelGroup("ipam-plugin-connections", GlobalEventExecutor.INSTANCE);
    InFlightCalls inFlight = new InFlightCalls();
    AtomicBoolean closing = new AtomicBoolean();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loop)
            .channel(NioServerDomainSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        .addLast("http", new HttpServerCodec())
                        .addLast("keep-alive", new HttpServerKeepAliveHandler())
                        .addLast("body", new BodyLimitAggregator(DriverProtocol.MAX_BODY_BYTES))
                        .addLast(
                            "ipam",
                            new PluginConnectionHandler(protocol, workers, inFlight, closing::get));
                  }
                });
    Channel listener;
    try {
      listener = bootstrap.bind(UnixDomainSocketAddress.of(path)).sync().channel();
      SocketFiles.restrictPermissions(path);
    } catch (Exception e) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (own != null) {
        own.shutdownNow();
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
    }
    return new PluginServer(path, options, loop, listener, connections, own, inFlight, closing);
  }

  private static ExecutorService newWorkers(PluginServerOptions options) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            options.workerThreads(),
            options.workerThreads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.queueCapacity()),
            new DefaultThreadFactory("ipam-plugin-worker", true));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** The absolute path of the bound socket. */
  public Path socketPath() {
    return socket;
  }

  /** Calls received and not yet answered. */
  public int callsInFlight() {
    return inFlight.count();
  }

  /**
   * Stops accepting connections, waits up to the drain timeout for calls in flight to be answered,
   * then closes every connection (a request arriving meanwhile gets no answer, so dockerd retries
   * against the next instance) and removes the socket file.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closing.set(true);
    listener.close().syncUninterruptibly();
    try {
      if (!inFlight.awaitIdle(options.drainTimeout())) {
        LOG.log(
            System.Logger.Level.WARNING,
            inFlight.count()
                + " plugin calls still running after "
                + options.drainTimeout()
                + "; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (ownWorkers != null) {
      ownWorkers.shutdown();
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "could not remove " + socket + ": " + e.getMessage());
    }
  }
}
