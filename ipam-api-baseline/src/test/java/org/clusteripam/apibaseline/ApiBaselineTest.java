package org.clusteripam.apibaseline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each library module's public API (its descriptor's exports, and the public and protected types
 * and members of the packages it exports to every module, as {@code javap -protected} prints them)
 * must equal the committed {@code api/<module>.txt}: a change of the API is announced by changing
 * that file in the same commit. Regenerate with {@code mvn -B -o -pl ipam-api-baseline -am test
 * -Dtest=ApiBaselineTest -Dsurefire.failIfNoSpecifiedTests=false -Dapi.update=true}.
 */
class ApiBaselineTest {
  private static final Path API_DIR = Path.of(System.getProperty("api.dir", "../api"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ipam-core",
        "ipam-etcd",
        "ipam-docker-protocol",
        "ipam-cni-protocol",
        "ipam-lb",
        "ipam-dns"
      })
  void publicApiEqualsTheCommittedBaseline(String module) throws IOException {
    String actual = surface(classesOf(module));
    Path baseline = API_DIR.resolve(module + ".txt");
    if (Boolean.getBoolean("api.update")) {
      Files.createDirectories(API_DIR);
      Files.writeString(baseline, actual, StandardCharsets.UTF_8);
    }
    assertThat(baseline).as("committed API baseline of " + module).exists();
    assertThat(actual)
        .as(
            "the public API of %s differs from %s: if the change is meant, regenerate the baseline with -Dapi.update=true "
                + "(see this test's comment) and commit it with the change",
            module, baseline)
        .isEqualTo(Files.readString(baseline, StandardCharsets.UTF_8));
  }

  /** The module's classes directory (or jar) on the test class path. */
  private static Path classesOf(String module) {
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath().normalize();
      boolean classesDir = p.endsWith(Path.of(module, "target", "classes"));
      boolean jar =
          p.getFileName().toString().startsWith(module + "-")
              && p.getFileName().toString().endsWith(".jar")
              && !p.getFileName().toString().contains("-tests");
      if (classesDir || jar) {
        return p;
      }
    }
    throw new AssertionError(
        module + " is not on the test class path: " + System.getProperty("java.class.path"));
  }

  /**
   * The exported packages' public surface, types sorted by name and members sorted within each
   * type.
   */
  static String surface(Path classes) throws IOException {
    List<String> names = classNames(classes);
    Set<String> exported = exportedPackages(classes, names);
    List<String> api = names.stream().filter(n -> exported.contains(packageOf(n))).toList();
    TreeMap<String, TreeSet<String>> types = new TreeMap<>();
    List<String> args = new ArrayList<>(List.of("-protected", "-cp", classes.toString()));
    args.addAll(api);
    String javap = javap(args.toArray(String[]::new));
    String header = null;
    for (String line : javap.split("\n")) {
      if (line.startsWith("Compiled from") || line.isBlank()) {
        continue;
      }
      if (line.equals("}")) {
        header = null;
      } else if (header == null) {
        header = line.endsWith("{") ? line.substring(0, line.length() - 1).strip() : line.strip();
        types.put(header, new TreeSet<>());
      } else {
        types.get(header).add(line.strip());
      }
    }
    StringBuilder out = new StringBuilder();
    descriptor(classes)
        .ifPresent(
            d -> {
              out.append("module ").append(d.name()).append('\n');
              d.exports().stream()
                  .map(
                      e ->
                          "exports "
                              + e.source()
                              + (e.isQualified()
                                  ? " to " + String.join(", ", new TreeSet<>(e.targets()))
                                  : ""))
                  .sorted()
                  .forEach(e -> out.append("  ").append(e).append('\n'));
            });
    types.forEach(
        (type, members) -> {
          if (type.startsWith("public ") || type.startsWith("protected ")) {
            out.append(type).append('\n');
            members.forEach(m -> out.append("  ").append(m).append('\n'));
          }
        });
    return out.toString();
  }

  /**
   * With a module descriptor, its packages exported to every module; without one, every package.
   */
  private static Set<String> exportedPackages(Path classes, List<String> names) throws IOException {
    Set<String> all = new TreeSet<>();
    names.forEach(n -> all.add(packageOf(n)));
    Optional<ModuleDescriptor> descriptor = descriptor(classes);
    if (descriptor.isEmpty()) {
      return all;
    }
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports e : descriptor.get().exports()) {
      if (!e.isQualified()) {
        exported.add(e.source());
      }
    }
    return exported;
  }

  private static Optional<ModuleDescriptor> descriptor(Path classes) throws IOException {
    if (Files.isDirectory(classes)) {
      Path file = classes.resolve("module-info.class");
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      try (InputStream in = Files.newInputStream(file)) {
        return Optional.of(ModuleDescriptor.read(in));
      }
    }
    try (JarFile j = new JarFile(classes.toFile())) {
      JarEntry e = j.getJarEntry("module-info.class");
      if (e == null) {
        return Optional.empty();
      }
      try (InputStream in = j.getInputStream(e)) {
        return Optional.of(ModuleDescriptor.read(in));
      }
    }
  }

  private static List<String> classNames(Path classes) throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.isDirectory(classes)) {
      try (Stream<Path> walk = Files.walk(classes)) {
        walk.filter(p -> p.toString().endsWith(".class"))
            .forEach(p -> out.add(className(classes.relativize(p).toString())));
      }
    } else {
      try (JarFile j = new JarFile(classes.toFile())) {
        j.stream()
            .filter(e -> e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/"))
            .forEach(e -> out.add(className(e.getName())));
      }
    }
    out.removeIf(n -> n.equals("module-info") || n.endsWith("package-info"));
    out.sort(null);
    return out;
  }

  private static String className(String path) {
    return path.substring(0, path.length() - ".class".length())
        .replace('/', '.')
        .replace(File.separatorChar, '.');
  }

  private static String packageOf(String className) {
    int dot = className.lastIndexOf('.');
    return dot < 0 ? "" : className.substring(0, dot);
  }

  private static String javap(String... args) {
    ToolProvider javap =
        ToolProvider.findFirst("javap")
            .orElseThrow(() -> new AssertionError("no javap in this JDK"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = javap.run(new PrintWriter(out), new PrintWriter(err), args);
    if (rc != 0) {
      throw new AssertionError(
          "javap "
              + Arrays.toString(Arrays.copyOf(args, Math.min(args.length, 4)))
              + "... failed: "
              + err);
    }
    return out.toString();
  }
}
