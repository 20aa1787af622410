package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.TaskAddress;
import org.junit.jupiter.api.Test;

class LocalTaskReaderTest {
  static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  static final IpPrefix POOL6 = IpPrefix.parse("fd94::/64");

  /** {@code GET /containers/json} as dockerd 28 answers it, trimmed to what the reader looks at. */
  static final String CONTAINERS =
      """
      [{"Id":"c1","Labels":{"com.docker.swarm.service.id":"svc1","com.docker.swarm.service.name":"web","com.docker.swarm.task.id":"t1"},
        "NetworkSettings":{"Networks":{"ph":{"IPAddress":"10.94.0.2","GlobalIPv6Address":"fd94::2"},"other":{"IPAddress":"172.18.0.2"}}}},
       {"Id":"c2","Labels":{"com.docker.swarm.service.id":"svc1","com.docker.swarm.service.name":"web","com.docker.swarm.task.id":"t2"},
        "NetworkSettings":{"Networks":{"ph":{"IPAddress":"10.94.0.3","GlobalIPv6Address":""}}}},
       {"Id":"c3","Labels":{"com.docker.swarm.task.id":"t3"},"NetworkSettings":{"Networks":{"ph":{"IPAddress":"10.94.0.4"}}}},
       {"Id":"c4","Labels":{"com.docker.swarm.service.id":"svc2","com.docker.swarm.service.name":"db","com.docker.swarm.task.id":"t4"},
        "NetworkSettings":{"Networks":{"ph":{"IPAddress":"not-an-address"}}}}]
      """;

  @Test
  void keepsEveryTaskAddressInAPerHostPoolAndSaysWhatItLeftOut() throws Exception {
    var containers = new ObjectMapper().readTree(CONTAINERS);
    TaskSource.LocalTasks r =
        new LocalTaskReader(
                path -> {
                  assertThat(path)
                      .startsWith("/containers/json?filters=")
                      .contains("com.docker.swarm.task.id");
                  return containers;
                })
            .read(Set.of(POOL, POOL6));
    assertThat(r.byPool())
        .isEqualTo(
            Map.of(
                POOL,
                    List.of(
                        new TaskAddress("svc1", "web", "t1", IpAddress.parse("10.94.0.2")),
                        new TaskAddress("svc1", "web", "t2", IpAddress.parse("10.94.0.3"))),
                POOL6, List.of(new TaskAddress("svc1", "web", "t1", IpAddress.parse("fd94::2")))));
    assertThat(r.skipped())
        .hasSize(2)
        .anyMatch(s -> s.contains("c3") && s.contains("label"))
        .anyMatch(s -> s.contains("not-an-address"));
  }

  @Test
  void withoutPerHostPoolsNothingIsOurs() throws Exception {
    assertThat(LocalTaskReader.convert(new ObjectMapper().readTree(CONTAINERS), Set.of()).byPool())
        .isEmpty();
  }
}
