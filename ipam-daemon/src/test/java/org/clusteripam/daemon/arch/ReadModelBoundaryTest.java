package org.clusteripam.daemon.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.clusteripam.daemon.perhost.PerHostLoop;
import org.clusteripam.daemon.serve.Daemon;
import org.clusteripam.daemon.serve.HostLease;
import org.junit.jupiter.api.Test;

/**
 * The daemon reads the cluster state only through core's read model: none of its main classes
 * refers to the state layout's keys, codecs or records, the CNI attachment codec or the node task
 * codec; none calls a store method that reads or writes (only opening, naming and closing it), but
 * the few that own a key of their own; none takes the per-host facet's reads the snapshot carries.
 * Checked in the compiled classes' constant pools, so a fully qualified name counts too.
 */
class ReadModelBoundaryTest {
  private static final List<String> FORBIDDEN =
      List.of(
          "org/clusteripam/core/state/",
          "org/clusteripam/core/cni/AttachmentCodec",
          "org/clusteripam/core/perhost/NodeTasksCodec",
          "org/clusteripam/core/store/StoreSnapshot",
          "org/clusteripam/core/store/Versioned",
          "org/clusteripam/core/store/TxnView");

  /** The store types whose methods a daemon class may not call, but for {@link #HARMLESS}. */
  private static final Set<String> STORES =
      Set.of(
          "org/clusteripam/core/store/StateStore",
          "org/clusteripam/core/store/InMemoryStateStore",
          "org/clusteripam/etcd/EtcdStateStore",
          "org/clusteripam/etcd/file/FileStateStore");

  /** Opening, naming and closing a store read nothing. */
  private static final Set<String> HARMLESS = Set.of("open", "connect", "describe", "close");

  /** The daemon's own keys (the host lease), not cluster state: it reads and writes them itself. */
  private static final Set<String> WRITERS = Set.of("org/clusteripam/daemon/serve/HostLease");

  /** Reads of the per-host facet that the snapshot carries (one read, at one revision). */
  private static final Set<String> FACET_READS =
      Set.of("publishedTasks", "catalog", "placeholderMappings", "advertisedAddresses");

  @Test
  void noDaemonClassDecodesTheStoreItself() throws Exception {
    Path classes =
        Path.of(Daemon.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Path> files;
    try (Stream<Path> s = Files.walk(classes)) {
      files = s.filter(p -> p.toString().endsWith(".class")).toList();
    }
    assertThat(files).as("daemon main classes in " + classes).hasSizeGreaterThan(50);
    TreeSet<String> offenders = new TreeSet<>();
    for (Path f : files) {
      ClassConstants c = ClassConstants.read(Files.readAllBytes(f));
      String where = classes.relativize(f).toString();
      for (String name : c.strings()) {
        for (String bad : FORBIDDEN) {
          if (name.contains(bad)) {
            offenders.add(where + " -> " + name);
          }
        }
      }
      for (ClassConstants.MethodRef m : c.methods()) {
        if (STORES.contains(m.owner())
            && !HARMLESS.contains(m.name())
            && !WRITERS.contains(c.name())) {
          offenders.add(where + " -> " + m.owner() + "." + m.name());
        }
        if (m.owner().equals("org/clusteripam/core/ipam/HostAddressing")
            && FACET_READS.contains(m.name())) {
          offenders.add(where + " -> " + m.owner() + "." + m.name());
        }
      }
    }
    assertThat(offenders).as("daemon classes that reach past the read model").isEmpty();
  }

  @Test
  void theScanSeesStoreCallsWhereThereAreSome() throws Exception {
    // the lease is the daemon's one writer: its calls must be seen, or the rule above proves
    // nothing
    ClassConstants lease = ClassConstants.read(classFile(HostLease.class));
    assertThat(lease.name()).isIn(WRITERS);
    assertThat(lease.methods())
        .contains(
            new ClassConstants.MethodRef("org/clusteripam/core/store/StateStore", "keepAlive"),
            new ClassConstants.MethodRef("org/clusteripam/core/store/StateStore", "peek"));
    ClassConstants loop = ClassConstants.read(classFile(PerHostLoop.class));
    assertThat(loop.methods())
        .contains(
            new ClassConstants.MethodRef(
                "org/clusteripam/core/ipam/HostAddressing", "publishTasks"));
  }

  private static byte[] classFile(Class<?> c) throws IOException {
    try (java.io.InputStream in =
        c.getClassLoader().getResourceAsStream(c.getName().replace('.', '/') + ".class")) {
      return in.readAllBytes();
    }
  }

  @Test
  void theScanFindsAReferenceWhereThereIsOne() throws Exception {
    // core's own read model decodes the state: the scan must see that, or it proves nothing
    byte[] decoder;
    try (java.io.InputStream in =
        org.clusteripam.core.engine.IpamQueries.class
            .getClassLoader()
            .getResourceAsStream("org/clusteripam/core/engine/SnapshotDecoder.class")) {
      decoder = in.readAllBytes();
    }
    assertThat(constantPoolStrings(decoder))
        .anyMatch(s -> s.contains("org/clusteripam/core/state/StateCodec"));
  }

  static List<String> constantPoolStrings(byte[] classFile) throws IOException {
    return ClassConstants.read(classFile).strings();
  }

  /**
   * What a class file's constant pool names: its own name, every UTF-8 constant (class names,
   * descriptors, member names, string literals) and every method it calls, by owner and name.
   */
  record ClassConstants(String name, List<String> strings, List<MethodRef> methods) {
    record MethodRef(String owner, String name) {}

    static ClassConstants read(byte[] classFile) throws IOException {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("not a class file");
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] first = new int[count]; // Class: name; NameAndType: name; Methodref: class
      int[] second = new int[count]; // Methodref: name and type
      boolean[] method = new boolean[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 7 -> first[i] = in.readUnsignedShort();
          case 10, 11, 12 -> {
            first[i] = in.readUnsignedShort();
            second[i] = in.readUnsignedShort();
            method[i] = tag != 12;
          }
          case 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++; // a long or double takes two entries
          }
          default -> throw new IOException("unknown constant pool tag " + tag);
        }
      }
      in.readUnsignedShort(); // access flags
      String self = utf8[first[in.readUnsignedShort()]];
      List<String> strings = new ArrayList<>();
      List<MethodRef> methods = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        if (utf8[i] != null) {
          strings.add(utf8[i]);
        }
        if (method[i]) {
          methods.add(new MethodRef(utf8[first[first[i]]], utf8[first[second[i]]]));
        }
      }
      return new ClassConstants(self, strings, methods);
    }
  }
}
