package io.gfs.client.internal;

import io.gfs.proto.AllocateChunkRequest;
import io.gfs.proto.AllocateChunkResponse;
import io.gfs.proto.CreateFileRequest;
import io.gfs.proto.DeleteFileRequest;
import io.gfs.proto.DeleteNamespaceRequest;
import io.gfs.proto.FileInfo;
import io.gfs.proto.GetChunkLocationsRequest;
import io.gfs.proto.GetChunkLocationsResponse;
import io.gfs.proto.GetClusterPressureRequest;
import io.gfs.proto.GetClusterPressureResponse;
import io.gfs.proto.GetClusterStatusRequest;
import io.gfs.proto.GetClusterStatusResponse;
import io.gfs.proto.GetFileRequest;
import io.gfs.proto.ListFilesRequest;
import io.gfs.proto.ListFilesResponse;
import io.gfs.proto.ListNamespacesRequest;
import io.gfs.proto.MkdirRequest;
import io.gfs.proto.RenameFileRequest;
import io.gfs.proto.ReplicaProblem;
import io.gfs.proto.ReportReplicaProblemRequest;
import java.util.List;

/** Typed metadata calls to the master leader; every mutation carries a fresh RequestId. */
public final class MasterOps {
  private final MasterClient master;
  private final String clientName;

  public MasterOps(MasterClient master, String clientName) {
    this.master = master;
    this.clientName = clientName;
  }

  public MasterClient client() {
    return master;
  }

  public FileInfo createFile(String ns, String path) {
    CreateFileRequest req = CreateFileRequest.newBuilder()
        .setRequestId(master.newRequestId()).setNamespace(ns).setPath(path).build();
    return master.call("create " + path, true, s -> s.createFile(req)).getFile();
  }

  public FileInfo mkdir(String ns, String path, boolean parents) {
    MkdirRequest req = MkdirRequest.newBuilder().setRequestId(master.newRequestId())
        .setNamespace(ns).setPath(path).setParents(parents).build();
    return master.call("mkdir " + path, true, s -> s.mkdir(req)).getDirectory();
  }

  public FileInfo getFile(String ns, String path) {
    GetFileRequest req = GetFileRequest.newBuilder().setNamespace(ns).setPath(path).build();
    return master.call("stat " + path, false, s -> s.getFile(req)).getFile();
  }

  public long delete(String ns, String path, boolean recursive) {
    DeleteFileRequest req = DeleteFileRequest.newBuilder().setRequestId(master.newRequestId())
        .setNamespace(ns).setPath(path).setRecursive(recursive).build();
    return master.call("delete " + path, true, s -> s.deleteFile(req)).getDeletedEntries();
  }

  public FileInfo rename(String ns, String source, String destination, boolean overwrite) {
    RenameFileRequest req = RenameFileRequest.newBuilder().setRequestId(master.newRequestId())
        .setNamespace(ns).setSource(source).setDestination(destination).setOverwrite(overwrite)
        .build();
    return master.call("rename " + source, true, s -> s.renameFile(req)).getFile();
  }

  public ListFilesResponse list(String ns, String path, boolean recursive, int pageSize, String token) {
    ListFilesRequest req = ListFilesRequest.newBuilder().setNamespace(ns).setPath(path)
        .setRecursive(recursive).setPageSize(pageSize).setPageToken(token).build();
    return master.call("list " + path, false, s -> s.listFiles(req));
  }

  public List<String> listNamespaces() {
    return master.call("list namespaces", false,
        s -> s.listNamespaces(ListNamespacesRequest.getDefaultInstance())).getNamespacesList();
  }

  public long deleteNamespace(String ns) {
    DeleteNamespaceRequest req = DeleteNamespaceRequest.newBuilder()
        .setRequestId(master.newRequestId()).setNamespace(ns).build();
    return master.call("delete namespace " + ns, true, s -> s.deleteNamespace(req))
        .getDeletedEntries();
  }

  public AllocateChunkResponse allocateChunk(String ns, String path, int index) {
    AllocateChunkRequest req = AllocateChunkRequest.newBuilder()
        .setRequestId(master.newRequestId()).setNamespace(ns).setPath(path).setChunkIndex(index)
        .build();
    return master.call("allocate chunk " + index + " of " + path, true, s -> s.allocateChunk(req));
  }

  public GetChunkLocationsResponse locations(
      String ns, String path, int startIndex, int maxChunks, boolean forWrite) {
    GetChunkLocationsRequest req = GetChunkLocationsRequest.newBuilder().setNamespace(ns)
        .setPath(path).setStartIndex(startIndex).setMaxChunks(maxChunks).setForWrite(forWrite)
        .build();
    return master.call("locate " + path, false, s -> s.getChunkLocations(req));
  }

  public GetClusterStatusResponse clusterStatus() {
    return master.call("cluster status", false,
        s -> s.getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
  }

  public GetClusterPressureResponse clusterPressure() {
    return master.call("cluster pressure", false,
        s -> s.getClusterPressure(GetClusterPressureRequest.getDefaultInstance()));
  }

  /** Tells the master that a replica served bytes that failed their checksum. Best effort. */
  public void reportCorrupt(String handle, long version, String serverId, String detail) {
    ReportReplicaProblemRequest req = ReportReplicaProblemRequest.newBuilder()
        .setReporterId(clientName).setHandle(handle).setVersion(version).setServerId(serverId)
        .setProblem(ReplicaProblem.CORRUPT).setDetail(detail).build();
    master.callControl("report corrupt replica", s -> s.reportReplicaProblem(req));
  }
}
