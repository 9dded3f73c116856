package io.gfs.client.internal.dataplane;

import java.nio.ByteBuffer;

/**
 * Bytes of a verified read, trimmed to the requested range and never beyond the committed length.
 *
 * @param data read-only bytes starting at the requested offset; empty at or after the end
 * @param committedLength the replica's committed length when it served the read
 */
public record ReadResult(ByteBuffer data, long committedLength) {
}
