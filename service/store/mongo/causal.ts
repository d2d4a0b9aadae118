// Reads that never miss this process's own acknowledged writes, across a failover.
//
// Reads outside a transaction use read concern "majority" on the primary. That alone is not read-your-writes: just
// after an election the new primary has every majority-acknowledged write (it could not have been elected without
// them), but its majority commit point may still lag behind them until it commits in its own term, so a "majority"
// read there can return a snapshot older than a commit we acknowledged a moment ago. A causally consistent session
// fixes that: given the operation time of our last commit, the driver sends readConcern {level: "majority",
// afterClusterTime: t}, and the server waits until its majority snapshot includes t before it answers.
//
// The clock keeps the highest operation time of any commit or write this store made (so a read follows the caller's
// own commit and everything else this process wrote before it), and every operation outside a transaction runs in a
// fresh causally consistent session advanced to it. Transactions start from it too, so a read-modify-write never
// reads a state older than a write this process already acknowledged. Sessions come from the driver's pool: starting
// one sends nothing to the server.
import type { mongo } from "mongoose";

export class CausalClock {
  private operationTime: mongo.Timestamp | undefined;
  private clusterTime: mongo.ClusterTime | undefined;

  constructor(private readonly startSession: (options: mongo.ClientSessionOptions) => mongo.ClientSession) {}

  /** Carries a session's times forward (after its commit, or any operation it made). */
  observe(session: mongo.ClientSession): void {
    const { operationTime, clusterTime } = session;
    if (operationTime !== undefined && (this.operationTime === undefined || operationTime.greaterThan(this.operationTime))) this.operationTime = operationTime;
    if (clusterTime !== undefined && (this.clusterTime === undefined || clusterTime.clusterTime.greaterThan(this.clusterTime.clusterTime))) this.clusterTime = clusterTime;
  }

  /**
   * Makes the session's next reads wait for everything observed so far. The cluster time goes with the operation time:
   * the driver gossips, with each command, the $clusterTime last seen on the connection it happens to use (or the
   * session's, when higher), and a connection idle since before our commit would carry one older than the
   * afterClusterTime we ask for, which a server may refuse. advanceClusterTime checks the signature's shape; one it
   * refuses is left out, and the connection's own gossip stands.
   */
  advance(session: mongo.ClientSession): void {
    if (this.clusterTime !== undefined) {
      try {
        session.advanceClusterTime(this.clusterTime);
      } catch {
        // An unsigned cluster time (a deployment without keys): nothing to carry.
      }
    }
    if (this.operationTime !== undefined) session.advanceOperationTime(this.operationTime);
  }

  /** A causally consistent session for one call outside a transaction, ended (and observed) after it. */
  async session<T>(operation: (session: mongo.ClientSession) => Promise<T>): Promise<T> {
    const session = this.startSession({ causalConsistency: true });
    try {
      this.advance(session);
      const value = await operation(session);
      this.observe(session);
      return value;
    } finally {
      await session.endSession();
    }
  }
}
