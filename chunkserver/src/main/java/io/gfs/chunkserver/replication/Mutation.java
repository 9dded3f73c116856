package io.gfs.chunkserver.replication;

import io.gfs.proto.MutationHeader;

/**
 * One mutation of a chunk as the replicas see it: {@code length} bytes, staged under
 * {@code stageId}. Once ordered by the primary it also has a {@code sequence} and lands at
 * {@code offset}, right after mutation {@code prevSequence}. {@code requestedOffset} is a
 * WRITE's requested offset, -1 for a record append (a hint for staging in place, see
 * gfs_replication.proto). Invariants: offset, length ≥ 0; requestedOffset ≥ -1; stageId > 0;
 * sequence is 0 (not yet ordered) or greater than prevSequence.
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
    long stageId,
    long requestedOffset) {

  public Mutation {
    if (offset < 0 || length < 0 || prevSequence < 0 || stageId <= 0 || requestedOffset < -1
        || (sequence != 0 && sequence <= prevSequence)) {
      throw new IllegalArgumentException("bad mutation header stage=" + stageId + " seq="
          + sequence + " prev=" + prevSequence + " offset=" + offset + " length=" + length
          + " requestedOffset=" + requestedOffset);
    }
  }

  /** A mutation without a requested offset (a record append). */
  public Mutation(String handle, long version, String primaryId, long sequence,
      long prevSequence, long offset, long length, int crc32c, long stageId) {
    this(handle, version, primaryId, sequence, prevSequence, offset, length, crc32c, stageId, -1);
  }

  /** A record append to stage: its place in the chunk is not chosen yet. */
  public static Mutation staged(String handle, long version, String primaryId, long length,
      int crc32c, long stageId) {
    return staged(handle, version, primaryId, length, crc32c, stageId, -1);
  }

  /** A mutation to stage; {@code requestedOffset} is a WRITE's offset, -1 for an append. */
  public static Mutation staged(String handle, long version, String primaryId, long length,
      int crc32c, long stageId, long requestedOffset) {
    return new Mutation(handle, version, primaryId, 0, 0, 0, length, crc32c, stageId,
        requestedOffset);
  }

  /** This mutation with its place in the chunk. */
  public Mutation ordered(long newSequence, long newPrevSequence, long newOffset) {
    return new Mutation(handle, version, primaryId, newSequence, newPrevSequence, newOffset,
        length, crc32c, stageId, requestedOffset);
  }

  public boolean isOrdered() {
    return sequence > 0;
  }

  public static Mutation fromProto(MutationHeader h) {
    return new Mutation(h.getHandle(), h.getVersion(), h.getPrimaryId(), h.getSequence(),
        h.getPrevSequence(), h.getOffset(), h.getLength(), h.getCrc32C(), h.getStageId(),
        h.hasRequestedOffset() ? h.getRequestedOffset() : -1);
  }

  public MutationHeader toProto() {
    MutationHeader.Builder b = MutationHeader.newBuilder().setHandle(handle).setVersion(version)
        .setPrimaryId(primaryId).setSequence(sequence).setPrevSequence(prevSequence)
        .setOffset(offset).setLength(length).setCrc32C(crc32c).setStageId(stageId);
    if (requestedOffset >= 0) {
      b.setRequestedOffset(requestedOffset);
    }
    return b.build();
  }
}
