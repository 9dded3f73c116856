package io.gfs.master.statemachine;

/** Told about Raft leadership changes of the local master; called on Ratis threads, must not block. */
public interface LeadershipListener {

  /** The group's leader is now {@code leaderId} (may be this master) in {@code term}. */
  void leaderChanged(String leaderId, long term);

  /** This master is leader and has committed an entry of its term: it may serve. */
  void leaderReady(long term);

  LeadershipListener NONE = new LeadershipListener() {
    @Override
    public void leaderChanged(String leaderId, long term) {
    }

    @Override
    public void leaderReady(long term) {
    }
  };
}
