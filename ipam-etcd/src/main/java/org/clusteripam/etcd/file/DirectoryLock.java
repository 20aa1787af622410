package org.clusteripam.etcd.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.clusteripam.core.store.StoreUnavailableException;

/** An exclusive OS lock on {@code DIR/lock}: one process (and one store instance) per directory. */
final class DirectoryLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DirectoryLock acquire(Path dir) {
    Path file = dir.resolve("lock");
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreUnavailableException(
          "cannot open lock file " + file + ": " + e.getMessage(), e);
    }
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // held by this JVM already
    } catch (IOException e) {
      closeQuietly(ch);
      throw new StoreUnavailableException("cannot lock " + file + ": " + e.getMessage(), e);
    }
    if (l == null) {
      closeQuietly(ch);
      throw new StoreUnavailableException(
          "state directory "
              + dir
              + " is in use by another cluster-ipam process (lock file "
              + file
              + " is held); stop it or use another directory",
          null);
    }
    return new DirectoryLock(ch, l);
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it anyway
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }
}
