package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.lb.IpvsUnavailableException;
import org.clusteripam.lb.netlink.FamilyNotFoundException;
import org.clusteripam.lb.reconcile.DrainSysctls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** --load-balancer auto|on|off when the kernel has no IPVS (this machine's kernel has none). */
class IpvsApplierTest {
  static final HostId H1 = new HostId("h1");
  static final List<IpPrefix> POOLS = List.of(IpPrefix.parse("10.91.0.0/24"));

  final AtomicInteger opens = new AtomicInteger();
  final ListAppender<ILoggingEvent> log = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(IpvsApplier.class);

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    logger.detachAppender(log);
  }

  IpvsApplier withoutIpvs(LoadBalancerMode mode) {
    return new IpvsApplier(
        mode,
        () -> {
          opens.incrementAndGet();
          throw new IpvsUnavailableException("open", new FamilyNotFoundException("IPVS"));
        },
        DrainSysctls::system,
        Clock.systemUTC());
  }

  long logged(String event) {
    return log.list.stream()
        .filter(e -> e.getFormattedMessage().contains("event=" + event))
        .count();
  }

  @Test
  void autoComputesOnlyLogsOnceAndProbesAgainEachPass() {
    try (IpvsApplier a = withoutIpvs(LoadBalancerMode.AUTO)) {
      for (int i = 0; i < 3; i++) {
        assertThat(a.apply(LbDesiredState.empty(H1), POOLS)).isFalse();
      }
    }
    assertThat(opens).hasValue(3);
    assertThat(logged("lb_unavailable")).isEqualTo(1);
    assertThat(log.list.get(0).getFormattedMessage()).contains("IPVS not available");
  }

  @Test
  void onLogsAnErrorEveryPassButKeepsGoing() {
    try (IpvsApplier a = withoutIpvs(LoadBalancerMode.ON)) {
      for (int i = 0; i < 3; i++) {
        assertThat(a.apply(LbDesiredState.empty(H1), POOLS)).isFalse();
      }
    }
    assertThat(logged("lb_unavailable")).isEqualTo(3);
    assertThat(log.list).allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR);
  }

  @Test
  void offNeverOpensIpvs() {
    try (LbApplier a = IpvsApplier.forMode(LoadBalancerMode.OFF, Clock.systemUTC())) {
      assertThat(a).isNotInstanceOf(IpvsApplier.class);
      assertThat(a.apply(LbDesiredState.empty(H1), POOLS)).isFalse();
    }
    assertThatThrownBy(() -> withoutIpvs(LoadBalancerMode.OFF))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPlanIpvsCannotHoldIsRefusedBeforeTouchingTheKernel() {
    LbDesiredState mixed =
        new LbDesiredState(
            H1,
            List.of(),
            List.of(
                new PlaceholderRoute(
                    POOLS.get(0),
                    IpAddress.parse("10.91.0.200"),
                    H1,
                    IpAddress.parse("fd91::5"),
                    "",
                    List.of())));
    try (IpvsApplier a = withoutIpvs(LoadBalancerMode.AUTO)) {
      assertThatThrownBy(() -> a.apply(mixed, POOLS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("one address family");
    }
    assertThat(opens).hasValue(0);
  }

  @Test
  void autoOnThisKernelAppliesExactlyWhenItHasIpvs() {
    boolean ipvs = Files.exists(Path.of("/proc/net/ip_vs"));
    try (LbApplier a = IpvsApplier.forMode(LoadBalancerMode.AUTO, Clock.systemUTC())) {
      assertThat(a.apply(LbDesiredState.empty(H1), POOLS)).isEqualTo(ipvs);
    }
    assertThat(logged(ipvs ? "lb_available" : "lb_unavailable")).isEqualTo(1);
  }
}
