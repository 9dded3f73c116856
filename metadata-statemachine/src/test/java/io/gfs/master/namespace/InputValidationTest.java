package io.gfs.master.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gfs.master.MasterException;
import io.gfs.master.chunks.ChunkHandles;
import io.grpc.Status;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InputValidationTest {

  static Stream<Arguments> badPaths() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("a/b", "not absolute"),
        Arguments.of("./a", "not absolute"),
        Arguments.of("/a/./b", "'.' or '..'"),
        Arguments.of("/a/..", "'.' or '..'"),
        Arguments.of("/..", "'.' or '..'"),
        Arguments.of("/a//b", "empty segment"),
        Arguments.of("//", "empty segment"),
        Arguments.of("/a/b//", "empty segment"),
        Arguments.of("/a\u0000b", "NUL"),
        Arguments.of("/a\nb", "control character"),
        Arguments.of("/a\u007fb", "control character"),
        Arguments.of("/a\u0085b", "control character"),
        Arguments.of("/bad\ud800", "unpaired surrogate"),
        Arguments.of("/" + "x".repeat(256), "longer than 255 bytes"),
        Arguments.of("/" + "\u00e9".repeat(128), "longer than 255 bytes"),
        Arguments.of(("/" + "y".repeat(200)).repeat(21), "longer than 4096 bytes"));
  }

  @ParameterizedTest
  @MethodSource("badPaths")
  void badPathsAreInvalidArgumentsNamingTheProblem(String path, String problem) {
    assertThatThrownBy(() -> FsPaths.normalize(path))
        .isInstanceOfSatisfying(MasterException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining(problem);
  }

  @ParameterizedTest
  @CsvSource({"/,/", "/a/b/,/a/b", "/a,/a", "/a b/c.d-e_f,/a b/c.d-e_f", "/...,/...",
      "/.hidden,/.hidden"})
  void goodPathsNormalize(String path, String normalized) {
    assertThat(FsPaths.normalize(path)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(ints = {255, 4096})
  void limitsAreInclusive(int bytes) {
    String path = bytes == 255 ? "/" + "n".repeat(255)
        : ("/" + "z".repeat(255)).repeat(16);
    assertThat(FsPaths.normalize(path)).hasSize(bytes == 255 ? 256 : 4096);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Upper", "-lead", ".lead", "a/b", "with space", "a\u0000",
      "x12345678901234567890123456789012345678901234567890123456789012345"})
  void badNamespaceNamesAreRejected(String ns) {
    assertThatThrownBy(() -> NamespaceNames.normalize(ns))
        .isInstanceOfSatisfying(MasterException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("invalid namespace name");
  }

  @ParameterizedTest
  @CsvSource(value = {"'',default", "default,default", "a,a", "team-1.data_x,team-1.data_x"})
  void goodNamespaceNames(String ns, String normalized) {
    assertThat(NamespaceNames.normalize(ns)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not-a-uuid", "0000000-0000-4000-8000-000000000001x",
      "00000000-0000-4000-8000-00000000000A", "00000000_0000-4000-8000-000000000001",
      "../../../../etc/passwd-aaaaaaaaaaaaa"})
  void badChunkHandlesAreRejected(String handle) {
    assertThat(ChunkHandles.isValid(handle)).isFalse();
    assertThatThrownBy(() -> ChunkHandles.validate(handle))
        .isInstanceOfSatisfying(MasterException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("chunk handle");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0f8fad5b-d9cb-469f-a165-70867728950e",
      "00000000-0000-0000-0000-000000000000"})
  void canonicalHandlesAreAccepted(String handle) {
    assertThat(ChunkHandles.validate(handle)).isEqualTo(handle);
  }

  @ParameterizedTest
  @CsvSource({"/a,/b", "/a-c,/a/b", "/\uffff,/\ud83d\ude00", "/a,/a/b", "/Z,/a"})
  void pathOrderIsUtf8ByteOrder(String smaller, String larger) {
    assertThat(PathOrder.INSTANCE.compare(smaller, larger)).isNegative();
    assertThat(PathOrder.INSTANCE.compare(larger, smaller)).isPositive();
    assertThat(java.util.Arrays.compareUnsigned(
        smaller.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        larger.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isNegative();
  }
}
