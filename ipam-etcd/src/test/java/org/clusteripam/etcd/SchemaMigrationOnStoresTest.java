package org.clusteripam.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.engine.SchemaMigration;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.migrate.CrashingStore;
import org.clusteripam.core.migrate.Schema1Fixture;
import org.clusteripam.core.migrate.SchemaMigrationTest;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.testing.MutableClock;
import org.clusteripam.etcd.file.FileStateStore;
import org.clusteripam.testkit.TempDirs;
import org.clusteripam.testkit.etcd.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The schema-1 fixture (written by the schema-1 engine) in a real etcd and in the file store,
 * migrated by the first start, with a crash after each transaction of the migration and a restart
 * on a fresh connection (etcd) or a reopened directory (file store).
 */
class SchemaMigrationOnStoresTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-30T12:00:30Z"));
  static final IpamConfig CONFIG =
      IpamConfig.builder().cooldown(java.time.Duration.ofMinutes(10)).build();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  private static int prefixes;

  @Test
  void etcdStoreIsMigratedInPlaceAlsoAfterACrashAtEveryStep() {
    crashAtEveryStep(
        () -> {
          String prefix = "/migrate-" + (prefixes++) + "/";
          return () ->
              EtcdStateStore.connect(EtcdStoreConfig.of(etcd.endpoint()).withPrefix(prefix));
        });
  }

  @Test
  void fileStoreIsMigratedInPlaceAlsoAfterACrashAtEveryStep() {
    java.util.List<Path> dirs = new java.util.ArrayList<>();
    try {
      crashAtEveryStep(
          () -> {
            Path dir = TempDirs.create("migrate-file");
            dirs.add(dir);
            return () -> FileStateStore.open(dir);
          });
    } finally {
      dirs.forEach(TempDirs::delete);
    }
  }

  /** {@code stores} gives, per run, a way to (re)open one fresh store. */
  private static void crashAtEveryStep(Supplier<Supplier<StateStore>> stores) {
    TreeMap<String, String> reference = SchemaMigrationTest.migratedReference();
    for (int commits = 0; ; commits++) {
      Supplier<StateStore> open = stores.get();
      boolean crashed;
      try (StateStore s = open.get()) {
        Schema1Fixture.load(s);
        try {
          SchemaMigration.migrate(new CrashingStore(s, commits), CLOCK.millis());
          crashed = false;
        } catch (CrashingStore.Crash e) {
          crashed = true;
        }
        int schema = StateCodec.schemaOf(Keys.CONFIG, s.list(Keys.CONFIG).get(Keys.CONFIG).value());
        if (schema == 2) {
          // A schema-1 binary reads config first and refuses any schema but 1 ("schema version 2 is
          // not supported (this build reads 1)"), so from the flip on only schema 2 starts.
          assertThat(
                  new String(s.list(Keys.CONFIG).get(Keys.CONFIG).value(), StandardCharsets.UTF_8))
              .startsWith("{\"schema\":2,");
        } else {
          assertThat(s.list(Keys.POOL_INDEX_V1))
              .as("not flipped: the schema-1 index is still there")
              .containsKey(Keys.POOL_INDEX_V1);
        }
      }
      try (StateStore s = open.get()) {
        DriverIpam e = IpamEngine.open(s, CONFIG, CLOCK).driver();
        assertThat(Schema1Fixture.dump(s))
            .as("restarted after %d commits", commits)
            .isEqualTo(reference);
        // The migrated store serves: the shared name, a new address, show.
        PoolId blue =
            e.requestPool(
                    new PoolRequest(
                        new HostId("h1"),
                        "ClusterIpamLocal",
                        Optional.empty(),
                        Optional.empty(),
                        Map.of("network", "blue"),
                        false))
                .id();
        assertThat(blue.value()).isEqualTo("ClusterIpamLocal/10.80.0.0/24");
        e.requestAddress(
            new AddressRequest(
                new HostId("h1"), blue, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
        assertThat(new IpamQueries(s, CONFIG).snapshot().allPools()).hasSize(5);
      }
      if (!crashed) {
        break;
      }
    }
  }
}
