package io.gfs.master.statemachine;

import io.gfs.master.MasterException;
import io.gfs.master.chunks.Chunk;
import io.gfs.master.chunks.ChunkHandles;
import io.gfs.master.chunks.ChunkTable;
import io.gfs.master.namespace.FileNode;
import io.gfs.master.namespace.FsPaths;
import io.gfs.master.namespace.Listing;
import io.gfs.master.namespace.NamespaceNames;
import io.gfs.master.namespace.NamespaceTree;
import io.gfs.master.namespace.Namespaces;
import io.gfs.master.namespace.Node;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.GetFileResponse;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.ListFilesResponse;
import io.gfs.proto.ListNamespacesResponse;
import io.gfs.proto.MasterQuery;
import io.gfs.proto.MasterQueryResult;
import io.gfs.proto.StatsResult;

/** Answers read-only queries. The caller holds the read lock; nothing here mutates. */
final class QueryAnswerer {
  private final Namespaces namespaces;
  private final ChunkTable chunks;

  QueryAnswerer(Namespaces namespaces, ChunkTable chunks) {
    this.namespaces = namespaces;
    this.chunks = chunks;
  }

  MasterQueryResult answer(MasterQuery query) {
    MasterQueryResult.Builder b = MasterQueryResult.newBuilder();
    switch (query.getQueryCase()) {
      case GET_FILE -> {
        String ns = NamespaceNames.normalize(query.getGetFile().getNamespace());
        String path = FsPaths.normalize(query.getGetFile().getPath());
        Node node = namespaces.existing(ns).get(path);
        if (node == null) {
          throw MasterException.notFound("no such file or directory: " + path);
        }
        b.setGetFile(GetFileResponse.newBuilder().setFile(InfoViews.file(ns, path, node)));
      }
      case LIST_FILES -> b.setListFiles(list(query.getListFiles()));
      case CHUNK_LOCATIONS -> b.setChunkLocations(locations(query.getChunkLocations()));
      case LIST_NAMESPACES -> b.setListNamespaces(
          ListNamespacesResponse.newBuilder().addAllNamespaces(namespaces.names()));
      case CHUNK -> {
        String handle = ChunkHandles.validate(query.getChunk().getHandle());
        Chunk chunk = chunks.get(handle);
        if (chunk == null) {
          throw MasterException.notFound("no such chunk: " + handle);
        }
        b.setChunk(InfoViews.chunk(chunk));
      }
      case STATS -> b.setStats(StatsResult.newBuilder()
          .setFileCount(namespaces.fileCount())
          .setDirectoryCount(namespaces.directoryCount())
          .setChunkCount(chunks.size())
          .setNamespaceCount(namespaces.size()));
      case QUERY_NOT_SET -> throw MasterException.invalidArgument("query has no request");
    }
    return b.build();
  }

  private ListFilesResponse list(ListFilesRequest request) {
    String ns = NamespaceNames.normalize(request.getNamespace());
    String path = FsPaths.normalize(request.getPath());
    Listing.Page page = Listing.list(namespaces.existing(ns), path, request.getRecursive(),
        request.getPageToken(), request.getPageSize());
    ListFilesResponse.Builder b = ListFilesResponse.newBuilder()
        .setNextPageToken(page.nextToken());
    for (Listing.Item item : page.items()) {
      b.addEntries(InfoViews.file(ns, item.path(), item.node()));
    }
    return b.build();
  }

  /** chunk_size is left 0: the service knows the cluster's chunk size and fills it in. */
  private GetChunkLocationsResponse locations(GetChunkLocationsRequest request) {
    String ns = NamespaceNames.normalize(request.getNamespace());
    String path = FsPaths.normalize(request.getPath());
    NamespaceTree tree = namespaces.existing(ns);
    FileNode file = CommandApplier.existingFile(tree, path);
    long start = Integer.toUnsignedLong(request.getStartIndex());
    long max = request.getMaxChunks() == 0
        ? Long.MAX_VALUE : Integer.toUnsignedLong(request.getMaxChunks());
    long end = Math.min(file.chunkCount(), start + Math.min(max, Integer.MAX_VALUE));
    GetChunkLocationsResponse.Builder b = GetChunkLocationsResponse.newBuilder()
        .setFile(InfoViews.file(ns, path, file));
    for (long i = start; i < end; i++) {
      b.addChunks(InfoViews.chunk(file.chunk((int) i)));
    }
    return b.build();
  }
}
