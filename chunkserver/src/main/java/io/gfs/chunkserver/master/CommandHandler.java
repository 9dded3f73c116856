package io.gfs.chunkserver.master;

import io.gfs.proto.CopyChunkCommand;

/** Executes the leader's commands from heartbeat replies. Called on a worker, not the timer. */
public interface CommandHandler {
  void deleteChunk(String handle);

  void copyChunk(CopyChunkCommand command);
}
