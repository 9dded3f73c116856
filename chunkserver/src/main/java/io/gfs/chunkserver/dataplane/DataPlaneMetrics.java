package io.gfs.chunkserver.dataplane;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.function.IntSupplier;

/** The data plane's metrics, declared together (STYLE: gfs.<process>.<component>.<thing>). */
final class DataPlaneMetrics {
  static final String PREFIX = "gfs.chunkserver.dataplane.";

  final Counter connectionsRefused;
  final Counter protocolErrors;
  final Counter requestsTimedOut;
  final Meter readBytes;
  /** Read bytes sent from a buffer they were read into past the page cache (direct reads). */
  final Meter readDirectBytes;
  final Meter writeBytes;

  DataPlaneMetrics(MetricRegistry registry, IntSupplier openConnections) {
    // A server started again in the same registry reports its own connections.
    registry.remove(PREFIX + "connections.open");
    registry.register(PREFIX + "connections.open", (Gauge<Integer>) openConnections::getAsInt);
    connectionsRefused = registry.counter(PREFIX + "connections.refused");
    protocolErrors = registry.counter(PREFIX + "protocol_errors");
    requestsTimedOut = registry.counter(PREFIX + "requests.timed_out");
    readBytes = registry.meter(PREFIX + "read.bytes");
    readDirectBytes = registry.meter(PREFIX + "read.direct.bytes");
    writeBytes = registry.meter(PREFIX + "write.bytes");
  }
}
