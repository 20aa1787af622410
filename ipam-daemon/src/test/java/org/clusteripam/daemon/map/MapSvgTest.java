package org.clusteripam.daemon.map;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.daemon.Cli;
import org.clusteripam.etcd.file.FileStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code show --svg}: the overview as an SVG document, checked by parsing it. */
class MapSvgTest {
  @TempDir Path dir;

  @Test
  void theSvgHasATilePerSupernetARegionPerPoolInsideItsTileAndTheWarnings() throws Exception {
    InMemoryStateStore store = new InMemoryStateStore();
    MapFixture f = new MapFixture(store);
    Document doc =
        parse(
            MapHttp.svg(new IpamQueries(store, MapFixture.config()).snapshot(), store.describe()));

    assertThat(attributes(doc, "g", "tile", "data-id"))
        .containsExactly("10.80.0.0/20", "fd80:cafe::/60", "outside");
    assertThat(pools(doc))
        .hasSize(9)
        .contains(f.pools.get("web").toString(), "fd80:cafe::/64", "10.90.0.0/24", "10.91.0.0/24");
    NodeList gs = doc.getElementsByTagName("g");
    for (int i = 0; i < gs.getLength(); i++) {
      Element g = (Element) gs.item(i);
      if (!"tile".equals(g.getAttribute("class"))) {
        continue;
      }
      Rect bg = null;
      for (Element r : children(g, "rect")) {
        if ("tile-bg".equals(r.getAttribute("class"))) {
          bg = rect(r);
        }
      }
      assertThat(bg).isNotNull();
      List<Rect> pools = new ArrayList<>();
      for (Element r : children(g, "rect")) {
        if ("pool".equals(r.getAttribute("class"))) {
          Rect p = rect(r);
          assertThat(bg.contains(p))
              .as("pool %s inside its tile", r.getAttribute("data-prefix"))
              .isTrue();
          pools.forEach(o -> assertThat(o.overlaps(p)).isFalse());
          pools.add(p);
        }
      }
    }
    String ingest = f.pools.get("ingest").toString();
    Element full = poolRect(doc, ingest);
    assertThat(full.getAttribute("stroke")).isEqualTo("#b71c1c");
    assertThat(full.getTextContent()).contains("213 of 256 used").contains("above 80%");
    assertThat(poolRect(doc, f.pools.get("web").toString()).getAttribute("stroke"))
        .isEqualTo("#ffffff");
    assertThat(texts(doc, "pool-label")).contains("10.80.0.0/24", ingest, "10.91.0.0/24");
    assertThat(texts(doc, "pool-util")).contains("web · 13%", "ingest · 83%");
    assertThat(texts(doc, "tile-stats"))
        .contains("6 of 16 /24 pools · 38% carved · 25% of pool addresses used");
  }

  @Test
  void showSvgReadsTheEmbeddedStoreAndRefusesJson() throws Exception {
    Path state = dir.resolve("state");
    try (FileStateStore s = FileStateStore.open(state)) {
      new MapFixture(s);
    }
    Cli.Result r = Cli.run("show", "--svg", "--state-dir", state.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    Document doc = parse(r.out());
    assertThat(pools(doc)).hasSize(9);
    assertThat(doc.getDocumentElement().getAttribute("data-revision")).isNotEmpty();

    Cli.Result bad = Cli.run("show", "--svg", "--json", "--state-dir", state.toString());
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("--svg draws the whole map");
  }

  static Document parse(String svg) throws Exception {
    var dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<String> pools(Document doc) {
    return attributes(doc, "rect", "pool", "data-prefix");
  }

  private static Element poolRect(Document doc, String prefix) {
    NodeList rs = doc.getElementsByTagName("rect");
    for (int i = 0; i < rs.getLength(); i++) {
      Element e = (Element) rs.item(i);
      if ("pool".equals(e.getAttribute("class")) && prefix.equals(e.getAttribute("data-prefix"))) {
        return e;
      }
    }
    throw new AssertionError("no pool region " + prefix);
  }

  private static List<String> attributes(Document doc, String tag, String cls, String name) {
    List<String> out = new ArrayList<>();
    NodeList ns = doc.getElementsByTagName(tag);
    for (int i = 0; i < ns.getLength(); i++) {
      Element e = (Element) ns.item(i);
      if (cls.equals(e.getAttribute("class"))) {
        out.add(e.getAttribute(name));
      }
    }
    return out;
  }

  private static List<String> texts(Document doc, String cls) {
    List<String> out = new ArrayList<>();
    NodeList ns = doc.getElementsByTagName("text");
    for (int i = 0; i < ns.getLength(); i++) {
      Element e = (Element) ns.item(i);
      if (cls.equals(e.getAttribute("class"))) {
        out.add(e.getTextContent());
      }
    }
    return out;
  }

  private static List<Element> children(Element g, String tag) {
    List<Element> out = new ArrayList<>();
    NodeList ns = g.getElementsByTagName(tag);
    for (int i = 0; i < ns.getLength(); i++) {
      out.add((Element) ns.item(i));
    }
    return out;
  }

  private static Rect rect(Element r) {
    return new Rect(
        Double.parseDouble(r.getAttribute("x")),
        Double.parseDouble(r.getAttribute("y")),
        Double.parseDouble(r.getAttribute("width")),
        Double.parseDouble(r.getAttribute("height")));
  }
}
