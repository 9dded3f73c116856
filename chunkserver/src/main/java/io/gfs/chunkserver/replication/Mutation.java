package io.gfs.chunkserver.replication;

import io.gfs.proto.MutationHeader;

/**
 * One mutation of a chunk as the replicas see it: {@code length} bytes at {@code offset}, applied
 * right after mutation {@code prevSequence}. Invariants: offset, length ≥ 0; sequence > prevSequence.
 */
public record Mutation(
    String handle,
    long version,
    String primaryId,
    long sequence,
    long prevSequence,
    long offset,
    long length,
    int crc32c) {

  public Mutation {
    if (offset < 0 || length < 0 || sequence <= prevSequence || prevSequence < 0) {
      throw new IllegalArgumentException("bad mutation header seq=" + sequence + " prev="
          + prevSequence + " offset=" + offset + " length=" + length);
    }
  }

  public static Mutation fromProto(MutationHeader h) {
    return new Mutation(h.getHandle(), h.getVersion(), h.getPrimaryId(), h.getSequence(),
        h.getPrevSequence(), h.getOffset(), h.getLength(), h.getCrc32C());
  }

  public MutationHeader toProto() {
    return MutationHeader.newBuilder().setHandle(handle).setVersion(version)
        .setPrimaryId(primaryId).setSequence(sequence).setPrevSequence(prevSequence)
        .setOffset(offset).setLength(length).setCrc32C(crc32c).build();
  }
}
