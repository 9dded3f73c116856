package io.gfs.it.fault;

/**
 * One client operation of a history: what was invoked, and how it ended. Times are
 * {@code System.nanoTime()} values of the test JVM. {@code completeNanos} is 0 while the operation
 * is in flight; an operation still in flight when the history is read counts as unknown.
 *
 * @param client the workload client that ran it
 * @param type what it was
 * @param path the file (for RENAME the source)
 * @param target RENAME's destination; otherwise null
 * @param sequence APPEND's record sequence; otherwise 0
 * @param offset APPEND: the acknowledged offset; READ: the offset read from
 * @param data READ: the bytes returned
 */
record Op(int client, Type type, String path, String target, long sequence, long offset,
    byte[] data, Outcome outcome, long invokeNanos, long completeNanos, String error) {

  enum Type { APPEND, READ, CREATE, RENAME, DELETE }

  enum Outcome { OK, FAIL, UNKNOWN }

  static Op append(int client, String path, long sequence, Outcome outcome, long offset) {
    return new Op(client, Type.APPEND, path, null, sequence, offset, null, outcome, 0, 1, null);
  }

  static Op read(int client, String path, long offset, byte[] data) {
    return new Op(client, Type.READ, path, null, 0, offset, data, Outcome.OK, 0, 1, null);
  }

  static Op meta(int client, Type type, String path, String target, Outcome outcome) {
    return new Op(client, type, path, target, 0, 0, null, outcome, 0, 1, null);
  }

  Op completed(Outcome how, long offsetOrZero, byte[] dataOrNull, long nanos, String err) {
    return new Op(client, type, path, target, sequence, offsetOrZero, dataOrNull, how,
        invokeNanos, nanos, err);
  }

  Op invokedAt(long nanos) {
    return new Op(client, type, path, target, sequence, offset, data, outcome, nanos, 0, error);
  }

  boolean isAppend() {
    return type == Type.APPEND;
  }
}
