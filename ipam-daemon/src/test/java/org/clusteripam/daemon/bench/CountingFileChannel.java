package org.clusteripam.daemon.bench;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.etcd.file.FileStateStore;

/**
 * Counts {@code force} calls on the file store's log, which does not expose an fsync counter:
 * {@link #install} swaps this delegating wrapper into its log by reflection. {@code force(false)} is the
 * per-commit fsync; {@code force(true)} on the log is the reset after a compaction.
 */
final class CountingFileChannel extends FileChannel {
  private final FileChannel delegate;
  final AtomicLong commitFsyncs = new AtomicLong();
  final AtomicLong resetFsyncs = new AtomicLong();

  private CountingFileChannel(FileChannel delegate) {
    this.delegate = delegate;
  }

  /** Wraps the log channel of {@code store}; empty if the store's internals changed shape. */
  static java.util.Optional<CountingFileChannel> install(FileStateStore store) {
    try {
      Field logField = FileStateStore.class.getDeclaredField("log");
      logField.setAccessible(true);
      Object log = logField.get(store);
      Field channelField = log.getClass().getDeclaredField("channel");
      channelField.setAccessible(true);
      CountingFileChannel counting = new CountingFileChannel((FileChannel) channelField.get(log));
      channelField.set(log, counting);
      return java.util.Optional.of(counting);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.out.println("fsync counting unavailable: " + e);
      return java.util.Optional.empty();
    }
  }

  @Override
  public void force(boolean metaData) throws IOException {
    (metaData ? resetFsyncs : commitFsyncs).incrementAndGet();
    delegate.force(metaData);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return delegate.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return delegate.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    return delegate.write(srcs, offset, length);
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    delegate.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return delegate.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return delegate.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return delegate.write(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return delegate.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }
}
