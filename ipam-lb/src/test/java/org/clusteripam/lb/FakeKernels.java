package org.clusteripam.lb;

import org.clusteripam.core.net.IpAddress;
import org.clusteripam.lb.netlink.NetlinkTransport;

/** Access to the package-private {@link FakeKernel} from tests in other packages. */
public final class FakeKernels {
  private FakeKernels() {}

  public static Handle create() {
    return new Handle(new FakeKernel());
  }

  public static final class Handle {
    private final FakeKernel kernel;
    private Ipvs direct;

    Handle(FakeKernel kernel) {
      this.kernel = kernel;
    }

    public NetlinkTransport transport() {
      return kernel;
    }

    public void setActive(ServiceKey key, IpAddress address, int port, int active) {
      kernel.setActive(key, address, port, active);
    }

    /** Runs {@code action} once, just before the next IPVS write reaches the table. */
    public void beforeNextWrite(Runnable action) {
      kernel.beforeWrite =
          () -> {
            kernel.beforeWrite = () -> {};
            action.run();
          };
    }

    /** A second client on the same fake kernel, for a concurrent writer. */
    public Ipvs directIpvs() {
      if (direct == null) {
        direct = Ipvs.open(kernel);
      }
      return direct;
    }
  }
}
