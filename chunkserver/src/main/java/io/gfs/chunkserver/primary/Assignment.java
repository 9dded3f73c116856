package io.gfs.chunkserver.primary;

import java.util.concurrent.CompletableFuture;

/**
 * What the primary decided for one mutation: its sequence, the mutation it follows, and where it
 * lands. {@code predecessor} completes with true once the previous mutation is committed on the
 * primary (false if it never will be); {@code self} is this mutation's own such signal.
 */
record Assignment(
    long sequence,
    long prevSequence,
    long offset,
    long length,
    CompletableFuture<Boolean> predecessor,
    CompletableFuture<Boolean> self) {}
