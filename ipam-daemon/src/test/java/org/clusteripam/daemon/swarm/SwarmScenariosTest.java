package org.clusteripam.daemon.swarm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestInstance;

/**
 * The swarm scenarios with the managed plugin, on one 3-host bed booted once (each scenario's steps
 * and assertions are in its own class). Cluster mode runs last: it kills a host for good. A
 * scenario that leaves anything behind fails its own clean-up check, and the next one gets a new
 * bed. One scenario alone: {@code -Dtest='SwarmScenariosTest$PerHostMode'}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class SwarmScenariosTest {
  private final ScenarioBed shared = new ScenarioBed();

  @AfterAll
  void tearDownOnce() {
    shared.close();
  }

  @Nested
  @Order(1)
  class Macvlan extends MacvlanScenario {
    @Override
    ScenarioBed shared() {
      return shared;
    }
  }

  @Nested
  @Order(2)
  class PerHostMode extends PerHostModeScenario {
    @Override
    ScenarioBed shared() {
      return shared;
    }
  }

  @Nested
  @Order(3)
  class ClusterMode extends ClusterModeScenario {
    @Override
    ScenarioBed shared() {
      return shared;
    }
  }
}
