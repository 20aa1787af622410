package org.clusteripam.daemon.map;

import java.util.List;
import org.clusteripam.core.net.IpAddress;

/**
 * Read-only: the containers on the networks this daemon serves, by id and name, with their
 * addresses. The store knows CNI attachments' container ids; Docker's IPAM protocol never sends a
 * container, so Docker's containers come from Docker itself.
 */
@FunctionalInterface
public interface ContainerDirectory {
  /** No containers beyond the store (a daemon that asks no Docker). */
  ContainerDirectory NONE = () -> new Known(List.of());

  /** Never throws: a directory that cannot be asked answers {@link Unreachable}. */
  Listing containers();

  /** What a directory could tell. */
  sealed interface Listing permits Known, Unreachable {}

  record Known(List<Container> containers) implements Listing {
    public Known {
      containers = List.copyOf(containers);
    }
  }

  /**
   * @param reason what went wrong, for the operator ("Docker unreachable: ...")
   */
  record Unreachable(String reason) implements Listing {}

  /** One container's endpoint on one network: full id, name without Docker's leading slash. */
  record Container(String id, String name, String network, List<IpAddress> addresses) {
    public Container {
      addresses = List.copyOf(addresses);
    }
  }
}
