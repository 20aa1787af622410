package org.clusteripam.core.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

class NameAnswersProperties {
  static final List<IpPrefix> POOLS =
      List.of(
          IpPrefix.parse("10.91.0.0/24"),
          IpPrefix.parse("10.92.0.0/24"),
          IpPrefix.parse("fd91::/64"));
  static final List<String> NAMES = List.of("web", "db", "Api");

  @Provide
  Arbitrary<LbDesiredState> plans() {
    Arbitrary<VipRoute> route =
        Combinators.combine(
                Arbitraries.integers().between(0, POOLS.size() - 1),
                Arbitraries.of(NAMES),
                Arbitraries.integers().between(2, 250),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(2, 250).set().ofMaxSize(3))
            .as(
                (pool, name, host, hostVip, backends) ->
                    new VipRoute(
                        POOLS.get(pool),
                        "s" + name,
                        name,
                        address(pool, host),
                        hostVip,
                        List.of(),
                        backends.stream().map(b -> address(pool, b)).toList()));
    return route
        .list()
        .ofMaxSize(8)
        .map(vips -> new LbDesiredState(new HostId("h1"), vips, List.of()));
  }

  @Provide
  Arbitrary<Optional<IpAddress>> clients() {
    return Arbitraries.integers()
        .between(0, POOLS.size())
        .map(p -> p == POOLS.size() ? Optional.empty() : Optional.of(address(p, 251)));
  }

  static IpAddress address(int pool, int host) {
    IpPrefix p = POOLS.get(pool);
    return p.network().plus(host);
  }

  @Property
  void anAnswerIsAlwaysAFrontendOfThisHostsPlanForThatService(
      @ForAll("plans") LbDesiredState plan,
      @ForAll("names") String name,
      @ForAll IpFamily family,
      @ForAll("clients") Optional<IpAddress> client) {
    Set<IpAddress> served =
        plan.vips().stream()
            .filter(v -> v.serviceName().equalsIgnoreCase(name))
            .map(VipRoute::frontend)
            .collect(Collectors.toSet());
    NameAnswers.answer(plan, name, family, client)
        .ifPresent(
            a -> assertThat(a).allMatch(served::contains).allMatch(x -> x.family() == family));
  }

  @Property
  void swarmsVipWinsWhereThisHostBalancesItElseTheHostsOwnVip(
      @ForAll("plans") LbDesiredState plan,
      @ForAll("names") String name,
      @ForAll IpFamily family,
      @ForAll("clients") Optional<IpAddress> client) {
    List<VipRoute> named =
        plan.vips().stream().filter(v -> v.serviceName().equalsIgnoreCase(name)).toList();
    List<VipRoute> inPool =
        client
            .map(c -> named.stream().filter(v -> v.pool().contains(c)).toList())
            .orElse(List.of());
    List<VipRoute> candidates =
        (inPool.isEmpty() ? named : inPool)
            .stream().filter(v -> v.frontend().family() == family).toList();
    boolean anySwarm = candidates.stream().anyMatch(v -> !v.hostVip());
    Set<IpAddress> expected =
        candidates.stream()
            .filter(v -> !anySwarm || !v.hostVip())
            .map(VipRoute::frontend)
            .collect(Collectors.toSet());
    Optional<List<IpAddress>> got = NameAnswers.answer(plan, name, family, client);
    assertThat(got.isPresent()).isEqualTo(!named.isEmpty());
    got.ifPresent(a -> assertThat(Set.copyOf(a)).isEqualTo(expected));
  }

  @Property
  void tasksNameGivesTheBackendsOfTheService(
      @ForAll("plans") LbDesiredState plan, @ForAll("names") String name, @ForAll IpFamily family) {
    Set<IpAddress> backends =
        plan.vips().stream()
            .filter(v -> v.serviceName().equalsIgnoreCase(name))
            .flatMap(v -> v.backends().stream())
            .filter(a -> a.family() == family)
            .collect(Collectors.toSet());
    NameAnswers.answer(plan, "tasks." + name, family, Optional.empty())
        .ifPresent(a -> assertThat(Set.copyOf(a)).isEqualTo(backends));
  }

  @Property
  void caseAndTheTrailingDotDoNotMatter(
      @ForAll("plans") LbDesiredState plan,
      @ForAll("names") String name,
      @ForAll IpFamily family,
      @ForAll("clients") Optional<IpAddress> client) {
    assertThat(NameAnswers.answer(plan, name.toUpperCase(Locale.ROOT) + ".", family, client))
        .isEqualTo(NameAnswers.answer(plan, name, family, client));
  }

  @Property
  void aNameNoServiceHasIsNotOurs(@ForAll("plans") LbDesiredState plan, @ForAll IpFamily family) {
    assertThat(NameAnswers.answer(plan, "example.org", family, Optional.empty())).isEmpty();
    assertThat(NameAnswers.answer(plan, "tasks.", family, Optional.empty())).isEmpty();
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of(NAMES);
  }

  @Example
  void theClientsPoolChoosesTheNetwork() {
    VipRoute a =
        new VipRoute(
            POOLS.get(0), "sweb", "web", address(0, 9), true, List.of(), List.of(address(0, 70)));
    VipRoute b =
        new VipRoute(
            POOLS.get(1), "sweb", "web", address(1, 9), true, List.of(), List.of(address(1, 70)));
    LbDesiredState plan = new LbDesiredState(new HostId("h1"), List.of(a, b), List.of());
    assertThat(NameAnswers.answer(plan, "web", IpFamily.IPV4, Optional.of(address(1, 5))))
        .contains(List.of(address(1, 9)));
    assertThat(NameAnswers.answer(plan, "web", IpFamily.IPV4, Optional.empty()))
        .contains(List.of(address(0, 9), address(1, 9)));
    assertThat(NameAnswers.answer(plan, "web", IpFamily.IPV6, Optional.empty()))
        .contains(List.of());
  }
}
