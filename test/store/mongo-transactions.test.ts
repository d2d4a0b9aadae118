// The MongoDB adapter's transaction loop (service/store/mongo/transactions.ts) driven by a scripted session: what it
// sends, retries and throws when the server answers with the errors and labels a replica set gives under contention
// and failover. No server is needed; the errors are the driver's own classes, labelled as the server labels them.
import { expect } from "chai";
import { mongo } from "mongoose";
import { StoreNotFoundError } from "../../service/store/port";
import { isTransient, NESTED_WRITE, StoreBusyError, TransactionRunner, type Context, type RetryPolicy } from "../../service/store/mongo/transactions";
import { rejection } from "./fixtures";

/** What the scripted session was asked to do, in order. */
type Call = "start" | "commit" | "abort" | "end";

class ScriptedSession {
  readonly calls: Call[] = [];
  /** Outcomes of successive commits: an error to throw, or undefined for success; success once exhausted. */
  constructor(private readonly commits: (Error | undefined)[] = []) {}

  startTransaction(): void {
    this.calls.push("start");
  }

  async commitTransaction(): Promise<void> {
    this.calls.push("commit");
    const outcome = this.commits.shift();
    if (outcome !== undefined) throw outcome;
  }

  async abortTransaction(): Promise<void> {
    this.calls.push("abort");
  }

  async endSession(): Promise<void> {
    this.calls.push("end");
  }
}

function serverError(code: number, codeName: string, labels: string[] = []): mongo.MongoServerError {
  return new mongo.MongoServerError({ message: codeName, code, codeName, errorLabels: labels });
}

const duplicateKey = () => serverError(11000, "DuplicateKey");
const writeConflict = () => serverError(112, "WriteConflict", ["TransientTransactionError"]);
const noSuchTransaction = () => serverError(251, "NoSuchTransaction", ["TransientTransactionError"]);
const unknownCommit = () => serverError(91, "ShutdownInProgress", ["UnknownTransactionCommitResult", "RetryableWriteError"]);

/** The topology a selection error describes: irrelevant to whether it is transient. */
type SelectionReason = ConstructorParameters<typeof mongo.MongoServerSelectionError>[1];

const FAST: RetryPolicy = { budgetMs: 10_000, baseBackoffMs: 8, maxBackoffMs: 64 };

function runnerWith(session: ScriptedSession, policy: RetryPolicy = FAST): { runner: TransactionRunner; pauses: number[]; committed: number[] } {
  const pauses: number[] = [];
  const committed: number[] = [];
  const runner = new TransactionRunner(
    () => session as unknown as mongo.ClientSession,
    policy,
    () => committed.push(session.calls.length),
    () => undefined,
    async (ms) => {
      pauses.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 2)));
    },
    () => 0.999,
  );
  return { runner, pauses, committed };
}

/** An operation that "goes to the server": counts its sends and answers with `answer`. */
function operation<T>(sent: { count: number }, answer: () => T | Error) {
  return (context: Context) =>
    context.track(async () => {
      sent.count++;
      const result = answer();
      if (result instanceof Error) throw result;
      return result;
    });
}

describe("store/mongo: transaction runner (scripted session)", function () {
  it("after a failed write fn caught, sends nothing more, fails the later calls and the transaction with that first failure, and never loops", async function () {
    const session = new ScriptedSession();
    const { runner, pauses } = runnerWith(session);
    const sent = { count: 0 };
    const first = duplicateKey();
    let runs = 0;
    let later: unknown;
    const err = await rejection(
      runner.run(async (context) => {
        runs++;
        await rejection(operation(sent, () => first)(context));
        // The server aborted the transaction: this call would be answered NoSuchTransaction (labelled transient).
        later = await rejection(operation(sent, () => noSuchTransaction())(context));
        return "carried on";
      }),
    );
    expect(err).to.equal(first);
    expect(later).to.equal(first);
    expect(sent.count).to.equal(1);
    expect(runs).to.equal(1);
    expect(pauses).to.deep.equal([]);
    expect(session.calls).to.deep.equal(["start", "abort", "end"]);
  });

  it("hands fn's own error to the caller when fn answers a non-transient failure by throwing", async function () {
    const session = new ScriptedSession();
    const { runner } = runnerWith(session);
    const refusal = new RangeError("RESERVATION_USED");
    const err = await rejection(
      runner.run(async (context) => {
        await rejection(operation({ count: 0 }, () => duplicateKey())(context));
        throw refusal;
      }),
    );
    expect(err).to.equal(refusal);
    expect(session.calls).to.deep.equal(["start", "abort", "end"]);
  });

  for (const answer of ["returns a refusal", "throws a refusal"] as const) {
    it(`runs fn again, after a pause, when it ${answer} for a write conflict, and commits the attempt that wins`, async function () {
      const session = new ScriptedSession();
      const { runner, pauses } = runnerWith(session);
      const conflicts = [writeConflict(), writeConflict()];
      let runs = 0;
      const value = await runner.run(async (context) => {
        runs++;
        try {
          await operation({ count: 0 }, () => conflicts.shift() ?? "written")(context);
        } catch {
          if (answer === "returns a refusal") return "refused";
          throw new RangeError("refused");
        }
        return "counted";
      });
      expect(value).to.equal("counted");
      expect(runs).to.equal(3);
      // Full jitter under a ceiling that doubles: 8, then 16 (the random draw is just below 1).
      expect(pauses).to.deep.equal([7, 15]);
      expect(session.calls).to.deep.equal(["start", "abort", "start", "abort", "start", "commit", "end"]);
    });
  }

  it("retries a network error and a lost primary inside the transaction as transient", async function () {
    expect(isTransient(new mongo.MongoNetworkError("connection reset"))).to.equal(true);
    expect(isTransient(new mongo.MongoServerSelectionError("no primary", {} as SelectionReason))).to.equal(true);
    expect(isTransient(duplicateKey())).to.equal(false);
    expect(isTransient(new RangeError("domain"))).to.equal(false);
    const session = new ScriptedSession();
    const { runner } = runnerWith(session);
    const failures: Error[] = [new mongo.MongoNetworkError("connection reset")];
    const value = await runner.run(operation({ count: 0 }, () => failures.shift() ?? "read"));
    expect(value).to.equal("read");
    expect(session.calls).to.deep.equal(["start", "abort", "start", "commit", "end"]);
  });

  it("retries the commit alone while its result is unknown, and fn again when the commit fails transiently", async function () {
    const unknown = new ScriptedSession([unknownCommit(), unknownCommit()]);
    let runs = 0;
    const { runner, committed } = runnerWith(unknown);
    expect(await runner.run(async () => ++runs)).to.equal(1);
    expect(unknown.calls).to.deep.equal(["start", "commit", "commit", "commit", "end"]);
    expect(committed).to.have.length(1);

    const transient = new ScriptedSession([writeConflict()]);
    runs = 0;
    expect(await runnerWith(transient).runner.run(async () => ++runs)).to.equal(2);
    expect(transient.calls).to.deep.equal(["start", "commit", "start", "commit", "end"]);
  });

  it("throws a commit error that is neither, and MaxTimeMSExpired even when labelled unknown, without retrying", async function () {
    for (const error of [serverError(100, "UnsatisfiableWriteConcern"), serverError(50, "MaxTimeMSExpired", ["UnknownTransactionCommitResult"])]) {
      const session = new ScriptedSession([error]);
      expect(await rejection(runnerWith(session).runner.run(async () => "value"))).to.equal(error);
      expect(session.calls).to.deep.equal(["start", "commit", "end"]);
    }
  });

  it("gives up with StoreBusyError once the retry budget is spent, its pauses doubling up to their ceiling", async function () {
    const session = new ScriptedSession();
    const { runner, pauses } = runnerWith(session, { budgetMs: 150, baseBackoffMs: 2, maxBackoffMs: 16 });
    const err = await rejection(runner.run(operation({ count: 0 }, () => writeConflict())));
    expect(err).to.be.instanceOf(StoreBusyError);
    expect((err as StoreBusyError).cause).to.be.instanceOf(mongo.MongoServerError);
    expect(pauses.slice(0, 5)).to.deep.equal([1, 3, 7, 15, 15]);
    expect(Math.max(...pauses)).to.equal(15);
    expect(session.calls.filter((call) => call === "commit")).to.deep.equal([]);
    expect(session.calls.at(-1)).to.equal("end");
  });

  it("keeps the transaction going after StoreNotFoundError, which is raised before anything is sent", async function () {
    const session = new ScriptedSession();
    const { runner } = runnerWith(session);
    const sent = { count: 0 };
    const value = await runner.run(async (context) => {
      await rejection(context.track(async () => Promise.reject(new StoreNotFoundError("members", "m_1"))));
      return operation(sent, () => "written")(context);
    });
    expect(value).to.equal("written");
    expect(sent.count).to.equal(1);
    expect(session.calls).to.deep.equal(["start", "commit", "end"]);
  });

  it("refuses a transaction started inside a transaction's fn at once, and a tx used after its transaction", async function () {
    const session = new ScriptedSession();
    const { runner } = runnerWith(session);
    let leaked: Context | undefined;
    const nested = await runner.run(async (context) => {
      leaked = context;
      expect(() => runner.refuseNested()).to.throw(NESTED_WRITE);
      return rejection(runner.run(async () => "inner"));
    });
    expect((nested as Error).message).to.equal(NESTED_WRITE);
    expect(() => runner.refuseNested()).to.not.throw();
    expect(await rejection(operation({ count: 0 }, () => "late")(leaked as Context))).to.have.property("message").that.matches(/transaction is over/);
    expect(session.calls).to.deep.equal(["start", "commit", "end"]);
  });
});
