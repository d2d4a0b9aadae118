// The SQLite sequencer's thread: batches read and hashed there (and the next full batch prepared there while one
// commits) are the batches the writer would close, byte for byte; a SIGKILL while it works leaves whole batches or none;
// a batch prepared after a last batch that is no longer the last one is not written as it is; a thread that cannot work
// fails its calls.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { batchTree } from "../../service/anchoring/batch-tree";
import { buildTree, GENESIS_PREV, recordLeafHash, rootOf, sm3, toHex, utf8 } from "../../service/evidence";
import type { Store, StoredBatch, StoredProof } from "../../service/store/port";
import { SequencerThread } from "../../service/store/sqlite/sequencer-thread";
import { AT, draft, sequenceAll, sequencedAs } from "./fixtures";
import { freshDbFile, openTestSqliteStore } from "./adapters";
import type { TestSchema } from "./schema";

/** Three companies interleaved, v2 records with receipts and non-ASCII data. */
function drafts(count: number): ReturnType<typeof draft>[] {
  return Array.from({ length: count }, (_, n) => draft(`c_${n % 3}`, { n, note: n % 5 === 0 ? "合同专用章 ✓ \u2028" : "x", receipt: `R${n}x8KqYbN3mZpW4tY` }, "seal.used"));
}

interface Log {
  batches: StoredBatch[];
  proofs: Array<StoredProof | null>;
  texts: string[];
}

async function logOf(store: Store<TestSchema>): Promise<Log> {
  const count = await store.records.count();
  const proofs = await Promise.all(Array.from({ length: count }, (_, seq) => store.batches.proof(seq)));
  const batches: StoredBatch[] = [];
  for (let id = 0, batch = await store.batches.get(0); batch !== null; batch = await store.batches.get(++id)) batches.push(batch);
  return { batches, proofs, texts: await store.batches.recordTexts(0, count) };
}

describe("sqlite store: the sequencer thread", function () {
  this.timeout(60_000);
  const stores: Array<Store<TestSchema>> = [];
  /** A store whose batches go to the thread, once it has started (the first one starts it). */
  const openOnThread = async (): Promise<{ store: Store<TestSchema>; started: Promise<void> }> => {
    let ready = (): void => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const store = await openTestSqliteStore(freshDbFile(), { sequenceOffThreadFrom: 1, onSequencerThreadReady: () => ready() });
    stores.push(store);
    return { store, started };
  };
  const openOnWriter = async (): Promise<Store<TestSchema>> => {
    const store = await openTestSqliteStore(freshDbFile(), { sequenceOffThreadFrom: Number.MAX_SAFE_INTEGER });
    stores.push(store);
    return store;
  };

  afterEach(async function () {
    for (const store of stores.splice(0)) await store.close();
  });

  it("closes the batches, proofs and final texts the writer alone closes, the next full batch prepared while one commits", async function () {
    const { store: onThread, started } = await openOnThread();
    const onWriter = await openOnWriter();
    const records = drafts(40);
    for (const store of [onThread, onWriter]) {
      // Accepted in two goes: the second arrives after the first batches were prepared. The first batch starts the
      // thread and, as it is not waited for, is prepared on the writer.
      await store.records.append(records.slice(0, 25));
      await store.batches.sequence(8, new Date(AT), batchTree);
      if (store === onThread) await started;
      await store.batches.sequence(8, new Date(AT), batchTree);
      await store.records.append(records.slice(25));
      await sequenceAll(store, 8);
    }
    const [threaded, written] = [await logOf(onThread), await logOf(onWriter)];
    expect(threaded.batches.map((b) => [b.firstSeq, b.count])).to.deep.equal([[0, 8], [8, 8], [16, 8], [24, 8], [32, 8]]);
    expect(threaded).to.deep.equal(written);
    const pending = (await Promise.all(records.map((r) => onThread.records.getByReceipt(r.data.receipt as string)))).map((logged) => logged!.record);
    expect(await onThread.records.list({ limit: 100 })).to.deep.equal(sequencedAs(pending));
  });

  it("numbers each record once when two sequencers race, whatever each prepared", async function () {
    const { store, started } = await openOnThread();
    await store.records.append(drafts(30));
    await store.batches.sequence(2, new Date(AT), batchTree);
    await started;
    // The first leaves the next batch prepared after it; the others were prepared after the same last batch as it.
    const outcomes = await Promise.allSettled([4, 4, 4, 5].map((max) => store.batches.sequence(max, new Date(AT), batchTree)));
    for (const outcome of outcomes) expect(outcome.status).to.equal("fulfilled");
    await sequenceAll(store, 4);
    const { batches, proofs } = await logOf(store);
    let next = 0;
    for (const [id, batch] of batches.entries()) {
      expect(batch).to.deep.include({ id, firstSeq: next });
      next += batch.count;
    }
    expect(next).to.equal(30);
    expect(proofs.every((proof) => proof !== null)).to.equal(true);
    expect(new Set((await store.records.list({ limit: 100 })).map((r) => r.data.n)).size).to.equal(30);
  });

  it("leaves whole batches or none when the process is killed while it sequences through the thread", async function () {
    const file = freshDbFile();
    const closed = await sequenceAndKill(file, 6_000, 500, 3);
    const store = await openTestSqliteStore(file);
    stores.push(store);
    const { batches, proofs, texts } = await logOf(store);
    // Every batch it was told of is there; any later one is there whole (committed before the kill) or not at all.
    expect(batches.length).to.be.at.least(closed);
    let next = 0;
    for (const [id, batch] of batches.entries()) {
      expect(batch).to.deep.include({ id, firstSeq: next });
      const leaves = texts.slice(batch.firstSeq, batch.firstSeq + batch.count).map(utf8);
      expect(toHex(rootOf(buildTree(sm3, leaves))), `root of batch ${id}`).to.equal(batch.root);
      next += batch.count;
    }
    expect(proofs.every((proof) => proof !== null)).to.equal(true);
    expect(await store.records.count()).to.equal(next);
    // The rest is sequenced after the restart, each record once.
    await sequenceAll(store, 500);
    const all = await store.records.list({ limit: 10_000 });
    expect(all.map((r) => r.data.n).sort((a, b) => Number(a) - Number(b))).to.deep.equal(Array.from({ length: 6_000 }, (_, n) => n));
    // And each company's chain runs on unbroken across the kill: cseq 0, 1, 2, … each linked to the one before.
    const heads = new Map<string, { next: number; leaf: string }>();
    for (const record of all) {
      const head = heads.get(record.company) ?? { next: 0, leaf: GENESIS_PREV };
      expect(record, `seq ${record.seq}`).to.deep.include({ v: 2, cseq: head.next, prev: head.leaf });
      heads.set(record.company, { next: head.next + 1, leaf: toHex(recordLeafHash(record)) });
    }
  });

  it("reads and hashes on its own connection what the writer would", async function () {
    const file = freshDbFile();
    const store = await openTestSqliteStore(file, { sequenceOffThreadFrom: Number.MAX_SAFE_INTEGER });
    stores.push(store);
    await store.records.append(drafts(9));
    const thread = new SequencerThread(file);
    try {
      const prepared = await thread.prepare(null, 6);
      expect(prepared.start).to.deep.equal({ last: null, firstSeq: 0 });
      const batch = await store.batches.sequence(6, new Date(AT), batchTree);
      expect(prepared.texts).to.deep.equal(await store.batches.recordTexts(0, 6));
      expect(batchTree(prepared.texts, prepared.leaves).root).to.equal(batch?.root);
      const after = await thread.prepare(null, 6);
      expect(after.start).to.deep.equal({ last: { id: 0, root: batch?.root }, firstSeq: 6 });
      expect(after.texts).to.have.length(3);
    } finally {
      await thread.close();
    }
  });

  it("fails its calls and says it is dead when it cannot open the file", async function () {
    const thread = new SequencerThread(`${freshDbFile()}-missing`);
    try {
      expect(await thread.prepare(null, 4).then(() => "prepared", (err: unknown) => (err instanceof Error ? "failed" : "?"))).to.equal("failed");
      expect(thread.alive).to.equal(false);
    } finally {
      await thread.close();
    }
  });
});

/**
 * Runs crash-sequencer.ts on `file` over `count` records in batches of `max` and kills it with SIGKILL once it has
 * closed `batches` batches through the thread; resolves with how many it said it closed.
 */
function sequenceAndKill(file: string, count: number, max: number, batches: number): Promise<number> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "crash-sequencer.ts"), file, String(count), String(max)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let closed = 0;
  let pending = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      closed += lines.filter((line) => line.startsWith("closed ")).length;
      if (closed >= batches && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(closed);
      else reject(new Error(`the sequencer exited with ${code ?? signal} before it was killed: ${stderr}`));
    });
  });
}
