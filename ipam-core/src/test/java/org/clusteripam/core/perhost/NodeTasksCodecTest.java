package org.clusteripam.core.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.StoreCorruptException;
import org.junit.jupiter.api.Test;

class NodeTasksCodecTest {
  static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  static final String KEY = Keys.tasks(POOL, "h1");

  @Test
  void theStoredFormIsSmallSortedJson() {
    NodeTasks n =
        new NodeTasks(
            POOL,
            new HostId("h1"),
            List.of(
                new TaskAddress("s", "web", "t2", IpAddress.parse("10.94.0.3")),
                new TaskAddress("s", "web", "t1", IpAddress.parse("10.94.0.2"))));
    assertThat(new String(NodeTasksCodec.encode(n), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"schema\":1,\"pool\":\"10.94.0.0/24\",\"host\":\"h1\","
                + "\"tasks\":[{\"serviceId\":\"s\",\"serviceName\":\"web\",\"taskId\":\"t1\",\"address\":\"10.94.0.2\"},"
                + "{\"serviceId\":\"s\",\"serviceName\":\"web\",\"taskId\":\"t2\",\"address\":\"10.94.0.3\"}]}");
    assertThat(KEY).isEqualTo("tasks/10.94.0.0-24/h1");
  }

  @Test
  void whatDoesNotDecodeIsReportedWithItsKey() {
    for (String bad :
        List.of(
            "nope",
            "[]",
            "{\"schema\":2}",
            "{\"schema\":1,\"pool\":\"10.94.0.0/24\",\"host\":\"h2\",\"tasks\":[]}",
            "{\"schema\":1,\"pool\":\"10.94.0.0/24\",\"host\":\"h1\",\"tasks\":[{\"serviceId\":\"s\",\"serviceName\":\"w\",\"taskId\":\"t\",\"address\":\"10.9.0.1\"}]}",
            "{\"schema\":1,\"pool\":\"10.94.0.0/24\",\"host\":\"h1\",\"tasks\":[{\"serviceId\":\"a b\",\"serviceName\":\"w\",\"taskId\":\"t\",\"address\":\"10.94.0.1\"}]}",
            "{\"schema\":1,\"pool\":\"10.94.0.0/24\",\"host\":\"h1\"}")) {
      assertThatThrownBy(() -> NodeTasksCodec.decode(KEY, bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(StoreCorruptException.class)
          .hasMessageContaining(KEY);
    }
  }
}
