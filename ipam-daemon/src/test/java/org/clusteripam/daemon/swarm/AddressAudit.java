package org.clusteripam.daemon.swarm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares swarm's record of every running task's address on a network with the address its
 * container really has on its host; lists every mismatch and every address held by two tasks.
 */
public final class AddressAudit {
  private AddressAudit() {}

  /**
   * Human-readable violations; empty when records and containers agree and no address is held
   * twice.
   */
  public static List<String> violations(SwarmTestBed bed, String network, String... services) {
    SwarmView view = new SwarmView(bed);
    List<String> out = new ArrayList<>();
    Map<String, String> holder = new HashMap<>();
    for (String service : services) {
      for (TaskRecord t : view.tasks(service)) {
        if (!t.running()) {
          continue;
        }
        List<String> recorded = t.addressesByNetwork().getOrDefault(network, List.of());
        if (recorded.size() != 1) {
          out.add(
              t.id()
                  + " ("
                  + service
                  + "."
                  + t.slot()
                  + " on "
                  + t.host()
                  + ") has recorded addresses "
                  + recorded);
          continue;
        }
        String address = recorded.get(0);
        String previous = holder.put(address, t.id());
        if (previous != null) {
          out.add(address + " recorded for both " + previous + " and " + t.id());
        }
        if (bed.host(t.host()).isAlive()) {
          Optional<String> actual = view.containerAddress(t, network);
          if (actual.isEmpty() || !actual.get().equals(address)) {
            out.add(
                t.id()
                    + " ("
                    + service
                    + "."
                    + t.slot()
                    + " on "
                    + t.host()
                    + "): swarm recorded "
                    + address
                    + ", container has "
                    + actual.orElse("none"));
          }
        }
      }
    }
    return out;
  }

  /** How many running tasks the services have (the audit above covers exactly these). */
  public static int runningTasks(SwarmTestBed bed, String... services) {
    SwarmView view = new SwarmView(bed);
    int n = 0;
    for (String s : services) {
      n += (int) view.tasks(s).stream().filter(TaskRecord::running).count();
    }
    return n;
  }
}
