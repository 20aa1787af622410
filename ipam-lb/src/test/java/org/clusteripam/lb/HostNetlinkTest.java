package org.clusteripam.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import org.clusteripam.lb.netlink.Errnos;
import org.clusteripam.lb.netlink.FamilyNotFoundException;
import org.clusteripam.lb.netlink.GenericNetlink;
import org.clusteripam.lb.netlink.JnrNetlinkTransport;
import org.clusteripam.lb.netlink.Netlink;
import org.clusteripam.lb.netlink.NetlinkException;
import org.clusteripam.lb.netlink.NetlinkSocket;
import org.junit.jupiter.api.Test;

/** The real JNR-FFI path against the build machine's kernel (which has no IPVS). */
class HostNetlinkTest {

  @Test
  void resolvesTheControllerFamilyThroughTheRealKernel() {
    try (GenericNetlink genl = GenericNetlink.open(JnrNetlinkTransport.get())) {
      assertThat(genl.familyId("nlctrl")).isEqualTo(Netlink.GENL_ID_CTRL);
      assertThatThrownBy(() -> genl.familyId("nosuchfam"))
          .isInstanceOf(FamilyNotFoundException.class)
          .hasMessageContaining("nosuchfam");
    }
  }

  @Test
  void reportsIpvsAbsentAsItsOwnClearError() {
    Throwable thrown =
        catchThrowable(
            () -> {
              try (Ipvs ipvs = Ipvs.open()) {
                assertThat(ipvs.info().versionString()).startsWith("1.");
              }
            });
    if (Files.exists(Path.of("/proc/net/ip_vs"))) {
      assertThat(thrown).as("this kernel has IPVS").isNull();
    } else {
      assertThat(thrown)
          .isInstanceOf(IpvsUnavailableException.class)
          .hasMessageStartingWith("IPVS not available in this kernel");
      assertThat(((IpvsException) thrown).errno()).isEqualTo(Errnos.ENOENT);
    }
  }

  @Test
  void readsErrnoOfAFailedSocketCallOnTheCallingThread() {
    assertThatThrownBy(() -> NetlinkSocket.open(JnrNetlinkTransport.get(), 4242))
        .isInstanceOf(NetlinkException.class)
        .satisfies(
            e -> assertThat(((NetlinkException) e).errno()).isEqualTo(Errnos.EPROTONOSUPPORT))
        .hasMessageContaining("EPROTONOSUPPORT");
  }
}
