package org.clusteripam.daemon.swarm;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A scenario on the shared bed: its steps build on each other, in order, on one instance; it gets
 * the bed before its own set-up and hands it back, cleaned, after its last step (also when a step
 * failed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SwarmScenario {
  protected SwarmTestBed bed;
  protected HubEtcd etcd;

  /** The bed all scenarios of the run share. */
  abstract ScenarioBed shared();

  /** How many of the bed's hosts must be managers (the first ones). */
  abstract int managers();

  @BeforeAll
  final void joinSharedBed() {
    PluginBed up = shared().forScenario(getClass().getSimpleName(), managers());
    bed = up.bed();
    etcd = up.etcd();
  }

  @AfterAll
  final void leaveSharedBed() {
    shared().endScenario(getClass().getSimpleName());
  }
}
