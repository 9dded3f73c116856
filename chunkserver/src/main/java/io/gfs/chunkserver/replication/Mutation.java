package io.gfs.chunkserver.replication;

import io.gfs.proto.MutationHeader;

/**
 * One mutation of a chunk as the replicas see it: {@code length} bytes, staged under
 * {@code stageId}. Once ordered by the primary it also has a {@code sequence} and lands at
 * {@code offset}, right after mutation {@code prevSequence}. Invariants: offset, length ≥ 0;
 * stageId > 0; sequence is 0 (not yet ordered) or greater than prevSequence.
 */
public record Mutation(
    String handle,
    long version,
    String primaryId,
    long sequence,
    long prevSequence,
    long offset,
    long length,
    int crc32c,
    long stageId) {

  public Mutation {
    if (offset < 0 || length < 0 || prevSequence < 0 || stageId <= 0
        || (sequence != 0 && sequence <= prevSequence)) {
      throw new IllegalArgumentException("bad mutation header stage=" + stageId + " seq="
          + sequence + " prev=" + prevSequence + " offset=" + offset + " length=" + length);
    }
  }

  /** A mutation to stage: its place in the chunk is not chosen yet. */
  public static Mutation staged(String handle, long version, String primaryId, long length,
      int crc32c, long stageId) {
    return new Mutation(handle, version, primaryId, 0, 0, 0, length, crc32c, stageId);
  }

  /** This mutation with its place in the chunk. */
  public Mutation ordered(long newSequence, long newPrevSequence, long newOffset) {
    return new Mutation(handle, version, primaryId, newSequence, newPrevSequence, newOffset,
        length, crc32c, stageId);
  }

  public boolean isOrdered() {
    return sequence > 0;
  }

  public static Mutation fromProto(MutationHeader h) {
    return new Mutation(h.getHandle(), h.getVersion(), h.getPrimaryId(), h.getSequence(),
        h.getPrevSequence(), h.getOffset(), h.getLength(), h.getCrc32C(), h.getStageId());
  }

  public MutationHeader toProto() {
    return MutationHeader.newBuilder().setHandle(handle).setVersion(version)
        .setPrimaryId(primaryId).setSequence(sequence).setPrevSequence(prevSequence)
        .setOffset(offset).setLength(length).setCrc32C(crc32c).setStageId(stageId).build();
  }
}
