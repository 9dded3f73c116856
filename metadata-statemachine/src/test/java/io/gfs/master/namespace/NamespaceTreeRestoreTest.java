package io.gfs.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Restoring a checkpoint's entries in order gives the tree that building it op by op gives. */
class NamespaceTreeRestoreTest {

  @Test
  void restoredTreeEqualsTheTreeItWasTakenFrom() {
    NamespaceTree built = new NamespaceTree("default", new DirNode(1, 1));
    Random random = new Random(17);
    for (int i = 0; i < 3_000; i++) {
      // Names that sort between a directory and its children ("/a" < "/a.b" < "/a/b").
      String dir = "/d" + random.nextInt(20) + (random.nextBoolean() ? ".x" : "")
          + "/s" + random.nextInt(5);
      built.mkdir(dir, true, i);
      String file = dir + "/f" + random.nextInt(1_000)
          + (random.nextBoolean() ? "\uD83D\uDE00" : "");
      if (built.get(file) == null) {
        built.createFile(file, i);
      }
    }
    NamespaceTree restored = new NamespaceTree("default", new DirNode(1, 1));
    NamespaceTree.Restorer restorer = restored.restorer();
    for (Map.Entry<String, Node> e : built.entries().entrySet()) {
      restorer.add(e.getKey(), e.getValue());
    }
    restorer.finish();

    assertThat(List.copyOf(restored.entries().keySet()))
        .isEqualTo(List.copyOf(built.entries().keySet()));
    assertThat(restored.fileCount()).isEqualTo(built.fileCount()).isPositive();
    assertThat(restored.directoryCount()).isEqualTo(built.directoryCount()).isPositive();
    for (String path : built.entries().keySet()) {
      assertThat(restored.get(path)).isSameAs(built.get(path));
    }
    // The restored map is a working TreeMap: lookups, ranges and mutations behave.
    String someDir = built.entries().firstKey();
    assertThat(restored.entries().subMap(someDir + "/", someDir + "0"))
        .isEqualTo(built.entries().subMap(someDir + "/", someDir + "0"));
    restored.createFile("/zz-new", 5);
    assertThat(restored.get("/zz-new")).isInstanceOf(FileNode.class);
    assertThat(restored.fileCount()).isEqualTo(built.fileCount() + 1);
  }

  @Test
  void rejectsEntriesOutOfOrderDuplicatedOrWithoutADirectoryParent() {
    NamespaceTree tree = new NamespaceTree("default", new DirNode(1, 1));
    NamespaceTree.Restorer restorer = tree.restorer();
    restorer.add("/a", new DirNode(1, 1));
    restorer.add("/a/f", new FileNode(1, 1));
    assertThatThrownBy(() -> restorer.add("/a/f", new FileNode(1, 1)))
        .hasMessageContaining("out of order or duplicate");
    assertThatThrownBy(() -> restorer.add("/a/e", new FileNode(1, 1)))
        .hasMessageContaining("out of order or duplicate");
    assertThatThrownBy(() -> restorer.add("/a/f/g", new FileNode(1, 1)))
        .hasMessageContaining("without a directory parent");
    assertThatThrownBy(() -> restorer.add("/b/c", new FileNode(1, 1)))
        .hasMessageContaining("without a directory parent");
    assertThatThrownBy(() -> restorer.add("/", new DirNode(1, 1)))
        .hasMessageContaining("out of order");
    restorer.finish();
    assertThat(new ArrayList<>(tree.entries().keySet())).containsExactly("/a", "/a/f");
    assertThatThrownBy(restorer::finish).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> restorer.add("/b", new DirNode(1, 1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(tree::restorer).isInstanceOf(IllegalStateException.class);
  }
}
