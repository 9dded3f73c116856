package io.gfs.master.statemachine;

import static io.gfs.master.statemachine.Fixture.code;
import static io.gfs.master.statemachine.Ops.create;
import static io.gfs.master.statemachine.Ops.delete;
import static io.gfs.master.statemachine.Ops.deleteNamespace;
import static io.gfs.master.statemachine.Ops.getFile;
import static io.gfs.master.statemachine.Ops.list;
import static io.gfs.master.statemachine.Ops.mkdir;
import static io.gfs.master.statemachine.Ops.rename;
import static org.assertj.core.api.Assertions.assertThat;

import io.gfs.proto.EntryType;
import io.gfs.proto.FileInfo;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.MasterResult;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceCommandsTest {
  private final Fixture f = new Fixture();

  private List<String> paths(String ns, String dir, boolean recursive) {
    MasterQueryResult r = f.query(list(ns, dir, recursive, 0, ""));
    assertThat(code(r)).as(r.getMessage()).isEqualTo(Status.Code.OK);
    return r.getListFiles().getEntriesList().stream().map(FileInfo::getPath).toList();
  }

  @Test
  void createFileMakesMissingParentsAndTimestampsFromTheCommand() {
    MasterResult r = f.ok(create("", "/a/b/c.txt"));
    assertThat(r.getFile().getType()).isEqualTo(EntryType.FILE);
    assertThat(r.getFile().getNamespace()).isEqualTo("default");
    assertThat(r.getFile().getCreatedMs()).isEqualTo(f.clockMs);
    FileInfo dir = f.query(getFile("default", "/a/b")).getGetFile().getFile();
    assertThat(dir.getType()).isEqualTo(EntryType.DIRECTORY);
    assertThat(dir.getCreatedMs()).isEqualTo(f.clockMs);
    assertThat(paths("", "/", true)).containsExactly("/a", "/a/b", "/a/b/c.txt");
  }

  @Test
  void createFileOnAnExistingPathIsAlreadyExists() {
    f.ok(create("", "/x"));
    f.ok(mkdir("", "/d", false));
    assertThat(code(f.apply(create("", "/x")))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(f.apply(create("", "/d")))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(f.apply(create("", "/")))).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void aFileInTheWayIsFailedPrecondition() {
    f.ok(create("", "/f"));
    assertThat(code(f.apply(create("", "/f/g")))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(mkdir("", "/f/g", true)))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(mkdir("", "/f/g", false))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(mkdir("", "/f", true)))).isEqualTo(Status.Code.ALREADY_EXISTS);
  }

  @Test
  void mkdirWithoutParentsNeedsTheParentAndRefusesExisting() {
    assertThat(code(f.apply(mkdir("", "/a/b", false)))).isEqualTo(Status.Code.NOT_FOUND);
    f.ok(mkdir("", "/a", false));
    assertThat(code(f.apply(mkdir("", "/a", false)))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(f.apply(mkdir("", "/", false)))).isEqualTo(Status.Code.ALREADY_EXISTS);
    f.ok(mkdir("", "/a/b", false));
  }

  @Test
  void mkdirWithParentsIsIdempotentAndEmptyDirectoriesListAsEmpty() {
    f.ok(mkdir("", "/p/q/r", true));
    f.ok(mkdir("", "/p/q/r", true));
    f.ok(mkdir("", "/", true));
    assertThat(paths("", "/p/q/r", false)).isEmpty();
    assertThat(paths("", "/p", false)).containsExactly("/p/q");
  }

  @Test
  void directoryModifiedTimeFollowsItsEntries() {
    f.ok(mkdir("", "/d", false));
    long before = f.query(getFile("", "/d")).getGetFile().getFile().getModifiedMs();
    f.ok(create("", "/d/x"));
    long after = f.query(getFile("", "/d")).getGetFile().getFile().getModifiedMs();
    assertThat(after).isGreaterThan(before).isEqualTo(f.clockMs);
  }

  @Test
  void deleteCountsEntriesAndNeedsRecursiveForNonEmptyDirectories() {
    f.ok(create("", "/d/e/f1"));
    f.ok(create("", "/d/f2"));
    f.ok(create("", "/d0"));
    assertThat(code(f.apply(delete("", "/d", false)))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(f.ok(delete("", "/d", true)).getCount()).isEqualTo(4);
    assertThat(paths("", "/", true)).containsExactly("/d0");
    assertThat(code(f.apply(delete("", "/d", true)))).isEqualTo(Status.Code.NOT_FOUND);
    f.ok(mkdir("", "/empty", false));
    assertThat(f.ok(delete("", "/empty", false)).getCount()).isEqualTo(1);
    assertThat(f.ok(delete("", "/d0", false)).getCount()).isEqualTo(1);
  }

  @Test
  void deletingTheRootEmptiesItOnlyWhenRecursive() {
    f.ok(create("", "/a/b"));
    f.ok(create("", "/c"));
    assertThat(code(f.apply(delete("", "/", false)))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(f.ok(delete("", "/", true)).getCount()).isEqualTo(3);
    assertThat(paths("", "/", true)).isEmpty();
    assertThat(f.query(getFile("", "/")).getGetFile().getFile().getType())
        .isEqualTo(EntryType.DIRECTORY);
    assertThat(f.ok(delete("", "/", false)).getCount()).isZero();
  }

  @Test
  void renameMovesAWholeDirectoryAndCreatesDestinationParents() {
    f.ok(create("", "/src/a"));
    f.ok(create("", "/src/sub/b"));
    f.ok(create("", "/src-sibling"));
    FileInfo moved = f.ok(rename("", "/src", "/x/y/dst", false)).getFile();
    assertThat(moved.getPath()).isEqualTo("/x/y/dst");
    assertThat(moved.getType()).isEqualTo(EntryType.DIRECTORY);
    assertThat(paths("", "/", true)).containsExactly(
        "/src-sibling", "/x", "/x/y", "/x/y/dst", "/x/y/dst/a", "/x/y/dst/sub", "/x/y/dst/sub/b");
  }

  @Test
  void renameOntoAnExistingFileNeedsOverwriteAndNeverReplacesADirectory() {
    f.ok(create("", "/a"));
    f.ok(create("", "/b"));
    f.ok(mkdir("", "/d", false));
    assertThat(code(f.apply(rename("", "/a", "/b", false)))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(f.apply(rename("", "/a", "/d", true)))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(f.apply(rename("", "/d", "/b", true)))).isEqualTo(Status.Code.ALREADY_EXISTS);
    f.ok(rename("", "/a", "/b", true));
    assertThat(paths("", "/", false)).containsExactly("/b", "/d");
  }

  @Test
  void renameErrors() {
    f.ok(create("", "/d/e/f"));
    assertThat(code(f.apply(rename("", "/nope", "/x", false)))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.apply(rename("", "/d", "/d/e/inner", false))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(rename("", "/", "/x", false)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(rename("", "/d", "/", false)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(code(f.apply(rename("", "/d/e/f", "/d/e/f/g", false))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(rename("other", "/d", "/x", false))))
        .isEqualTo(Status.Code.NOT_FOUND);
    f.ok(rename("", "/d", "/d", false));
    f.ok(rename("", "/d", "/dd", false));
    assertThat(paths("", "/", true)).containsExactly("/dd", "/dd/e", "/dd/e/f");
  }

  @Test
  void namespacesAreCreatedImplicitlyListedSortedAndDeletedWholly() {
    f.ok(create("zeta", "/a/b"));
    f.ok(mkdir("alpha", "/d", false));
    assertThat(code(f.apply(create("bad", "/")))).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(f.query(Ops.namespaces()).getListNamespaces().getNamespacesList())
        .containsExactly("alpha", "default", "zeta");
    assertThat(code(f.apply(deleteNamespace("default"))))
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(deleteNamespace("")))).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(code(f.apply(deleteNamespace("nope")))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(f.ok(deleteNamespace("zeta")).getCount()).isEqualTo(2);
    assertThat(code(f.query(getFile("zeta", "/")))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(f.query(getFile("default", "/")))).isEqualTo(Status.Code.OK);
    assertThat(f.query(Ops.namespaces()).getListNamespaces().getNamespacesList())
        .containsExactly("alpha", "default");
  }

  @Test
  void listingIsInByteOrderAndSkipsGrandchildren() {
    for (String p : List.of("/a/b/deep", "/a-c", "/a.x", "/a/z", "/\u00e9", "/\ud83d\ude00",
        "/\uffee")) {
      f.ok(create("", p));
    }
    assertThat(paths("", "/", false))
        .containsExactly("/a", "/a-c", "/a.x", "/\u00e9", "/\uffee", "/\ud83d\ude00");
    assertThat(paths("", "/a", false)).containsExactly("/a/b", "/a/z");
    assertThat(paths("", "/a", true)).containsExactly("/a/b", "/a/b/deep", "/a/z");
    assertThat(paths("", "/a/z", true)).containsExactly("/a/z");
    assertThat(code(f.query(list("", "/missing", false, 0, ""))))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void listingPagesResumeAfterTheLastPathAndEndWithAnEmptyToken() {
    for (int i = 0; i < 25; i++) {
      f.ok(create("", String.format("/dir/f%02d", i)));
      f.ok(create("", String.format("/dir/d%02d/inner", i)));
    }
    for (boolean recursive : new boolean[] {false, true}) {
      List<String> all = new ArrayList<>();
      String token = "";
      int pages = 0;
      do {
        MasterQueryResult r = f.query(list("", "/dir", recursive, 7, token));
        assertThat(r.getListFiles().getEntriesCount()).isLessThanOrEqualTo(7);
        r.getListFiles().getEntriesList().forEach(e -> all.add(e.getPath()));
        token = r.getListFiles().getNextPageToken();
        pages++;
      } while (!token.isEmpty() && pages < 100);
      assertThat(all).hasSize(recursive ? 75 : 50).isSorted().doesNotHaveDuplicates();
      assertThat(pages).isEqualTo(recursive ? 11 : 8);
    }
    assertThat(code(f.query(list("", "/dir", false, 7, "!!not base64!!"))))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void listingADirectoryNeverIncludesPathsThatMerelyShareItsPrefix() {
    // LESSONS #15: listing by string prefix let "/ab" into a listing of "/a".
    f.ok(create("", "/a/in"));
    f.ok(create("", "/ab"));
    f.ok(create("", "/abc/x"));
    f.ok(mkdir("", "/a0", false));
    assertThat(paths("", "/a", false)).containsExactly("/a/in");
    assertThat(paths("", "/a", true)).containsExactly("/a/in");
  }
}
