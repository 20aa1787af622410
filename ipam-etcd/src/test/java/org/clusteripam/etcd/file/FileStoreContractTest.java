package org.clusteripam.etcd.file;

import java.nio.file.Path;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.testkit.TempDirs;
import org.clusteripam.testkit.store.StateStoreContract;
import org.clusteripam.testkit.store.StoreBacking;

public class FileStoreContractTest extends StateStoreContract {

  @Override
  protected StoreBacking newBacking() {
    return new FileBacking(TempDirs.create("filestore"), 4096);
  }

  /**
   * A directory; instances lock it, so they are opened one after another. Small compaction
   * threshold on purpose.
   */
  public record FileBacking(Path dir, long compactBytes) implements StoreBacking {
    @Override
    public StateStore open() {
      return FileStateStore.open(dir, compactBytes);
    }

    @Override
    public boolean independentInstances() {
      return false;
    }

    @Override
    public boolean durable() {
      return true;
    }

    @Override
    public void close() {
      TempDirs.delete(dir);
    }
  }
}
