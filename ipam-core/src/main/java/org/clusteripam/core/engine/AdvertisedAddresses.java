package org.clusteripam.core.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.Versioned;

/**
 * The addresses hosts advertise for routing to their blocks: one key per host ({@code
 * advertise/<host>}, the address as text), written by that host alone, so publishing touches no
 * shared key.
 */
final class AdvertisedAddresses {
  private AdvertisedAddresses() {}

  /** Every host's advertised address; entries that do not parse are listed in {@code malformed}. */
  record Read(SortedMap<HostId, IpAddress> byHost, List<String> malformed) {}

  /**
   * Writes {@code host}'s address when it differs from the stored one; returns whether it wrote.
   */
  static boolean put(StateStore store, HostId host, IpAddress address) {
    byte[] value = address.toString().getBytes(StandardCharsets.UTF_8);
    String key = Keys.advertise(host.value());
    return store.transact(
        "advertise",
        v -> {
          Optional<byte[]> old = v.get(key);
          if (old.isPresent() && Arrays.equals(old.get(), value)) {
            return false;
          }
          v.put(key, value);
          return true;
        });
  }

  static void delete(StateStore store, HostId host) {
    String key = Keys.advertise(host.value());
    store.transact(
        "unadvertise",
        v -> {
          if (v.get(key).isPresent()) {
            v.delete(key);
          }
          return null;
        });
  }

  static Read read(StateStore store) {
    return decode(store.list(Keys.ADVERTISE));
  }

  /** The entries under {@code advertise/} (as a listing or a snapshot reads them). */
  static Read decode(SortedMap<String, Versioned> entries) {
    SortedMap<HostId, IpAddress> out = new TreeMap<>(java.util.Comparator.comparing(HostId::value));
    List<String> malformed = new ArrayList<>();
    for (Map.Entry<String, Versioned> e : entries.entrySet()) {
      String text = new String(e.getValue().value(), StandardCharsets.UTF_8);
      try {
        String host =
            e.getKey().startsWith(Keys.ADVERTISE)
                ? e.getKey().substring(Keys.ADVERTISE.length())
                : e.getKey();
        out.put(new HostId(host), IpAddress.parse(text.strip()));
      } catch (IllegalArgumentException ex) {
        malformed.add(e.getKey() + "=" + text);
      }
    }
    return new Read(out, malformed);
  }
}
