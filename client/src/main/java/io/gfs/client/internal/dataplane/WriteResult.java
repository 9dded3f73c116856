package io.gfs.client.internal.dataplane;

/**
 * A committed write or record append.
 *
 * @param offset chunk offset where the data landed (chosen by the primary for an append)
 * @param committedLength the chunk's committed length after this write
 */
public record WriteResult(long offset, long committedLength) {
}
