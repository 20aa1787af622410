package org.clusteripam.core.reconcile;

import java.util.Optional;

/**
 * The port through which the allocation-safety rules ask what Docker shows on this host now; the
 * daemon answers it from the Docker Engine API. Asked only when a rule needs it (a conflict with
 * the host's own hold, the re-check before a leak release), never on the hot path.
 */
@FunctionalInterface
public interface DockerView {

  /**
   * Docker's networks of this driver on this host, with every address each uses, read now; empty
   * when Docker cannot be read (the rules then keep everything as it is).
   */
  Optional<DockerState> current();
}
