// Durability of acknowledgements on SQLite: commits run with synchronous=NORMAL, so transaction() may only
// resolve after our own WAL sync has finished, and syncs are shared by commits that arrive together.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { openSqliteStore } from "../../service/store/sqlite";
import { StoreUnavailableError, type Store } from "../../service/store/port";
import { TEST_SCHEMA, type TestSchema } from "./schema";
import { company } from "./fixtures";

const realSync = promisify(fs.fdatasync);

describe("store/sqlite: acknowledged means synced", () => {
  let dir: string;
  let store: Store<TestSchema>;
  let syncs: Array<() => void>;
  let started: number;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-wal-"));
    syncs = [];
    started = 0;
    // A sync that finishes only when the test says so, after really syncing.
    const heldSync = (fd: number) => {
      started++;
      return new Promise<void>((resolve, reject) => syncs.push(() => void realSync(fd).then(resolve, reject)));
    };
    store = await openSqliteStore(path.join(dir, "s.db"), { schema: TEST_SCHEMA, syncWal: heldSync });
  });
  afterEach(async () => {
    syncs.forEach((release) => release());
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const append = (i: number) => store.transaction((tx) => tx.records.append([{ type: "scenario.defined", at: new Date().toISOString(), company: "c_test0001", subject: `sc_${i}`, actor: "m_test0001", data: {} }]));

  it("does not resolve a committed transaction until its WAL sync completes", async () => {
    let acknowledged = false;
    const pending = append(0).then(() => (acknowledged = true));
    while (syncs.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(acknowledged).to.equal(false);
    syncs.shift()!();
    await pending;
    expect(acknowledged).to.equal(true);
  });

  it("syncs again for every later commit: a finished sync vouches for nothing written after it", async () => {
    for (let i = 0; i < 3; i++) {
      let acknowledged = false;
      const pending = append(i).then(() => (acknowledged = true));
      for (let wait = 0; wait < 100 && syncs.length === 0; wait++) await new Promise((r) => setTimeout(r, 5));
      expect(acknowledged, `commit ${i} acknowledged without a sync of its own`).to.equal(false);
      expect(syncs.length, `no sync started for commit ${i}`).to.equal(1);
      syncs.shift()!();
      await pending;
    }
    expect(started).to.equal(3);
  });

  it("shares syncs: twenty concurrent commits need at most two", async () => {
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => append(i)));
    for (let i = 0; i < 40 && (syncs.length > 0 || started < 2); i++) {
      await new Promise((r) => setTimeout(r, 20));
      syncs.shift()?.();
    }
    await all;
    expect(started).to.be.within(1, 2);
    expect((await store.records.waiting()).count).to.equal(20);
  });

  it("keeps the next group open while a sync is in flight: transactions arriving meanwhile share one COMMIT and one sync", async () => {
    const first = append(0);
    while (syncs.length === 0) await new Promise((r) => setTimeout(r, 5));
    const later = [append(1)];
    await new Promise((r) => setTimeout(r, 10));
    later.push(append(2));
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.records.waiting()).count, "committed while the first sync was in flight").to.equal(1);
    syncs.shift()!();
    await first;
    for (let wait = 0; wait < 100 && syncs.length === 0; wait++) await new Promise((r) => setTimeout(r, 5));
    expect((await store.records.waiting()).count).to.equal(3);
    syncs.shift()!();
    await Promise.all(later);
    expect(started).to.equal(2);
  });

  describe("a failed sync", () => {
    let failing: Store<TestSchema>;
    let fatal: StoreUnavailableError[];
    let syncCalls: number;
    let failNext: (err: Error) => void;

    beforeEach(async () => {
      fatal = [];
      syncCalls = 0;
      // Syncs succeed until the test fails one; the first call is held so a group can gather behind it.
      const sync = (fd: number) => {
        syncCalls++;
        return new Promise<void>((resolve, reject) => (failNext = (err) => (err ? reject(err) : void realSync(fd).then(resolve, reject))));
      };
      failing = await openSqliteStore(path.join(dir, "f.db"), { schema: TEST_SCHEMA, syncWal: sync, onFatal: (err) => fatal.push(err) });
    });
    afterEach(async () => {
      await failing.close();
    });

    const appendTo = (s: Store<TestSchema>, i: number) => s.transaction((tx) => tx.records.append([{ type: "scenario.defined", at: new Date().toISOString(), company: "c_test0001", subject: `sc_${i}`, actor: "m_test0001", data: {} }]));

    it("acknowledges no waiting caller, refuses every later write, never syncs again, and tells onFatal once", async () => {
      const waiting = Array.from({ length: 5 }, (_, i) => appendTo(failing, i));
      while (syncCalls === 0) await new Promise((r) => setTimeout(r, 5));
      const behind = appendTo(failing, 5);
      failNext(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
      const outcomes = await Promise.allSettled([...waiting, behind]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(Array(6).fill("rejected"));
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
      const later = await Promise.allSettled([appendTo(failing, 6), failing.companies.insert(company("c_late", "91350100M000100Y43")), failing.leases.acquire("batcher", "me", 1000, new Date())]);
      expect(later.map((o) => o.status)).to.deep.equal(["rejected", "rejected", "rejected"]);
      for (const o of later) expect((o as PromiseRejectedResult).reason).to.be.instanceOf(StoreUnavailableError);
      expect(syncCalls).to.equal(1);
      expect(fatal.length).to.equal(1);
      expect((fatal[0].cause as { code: string }).code).to.equal("EIO");
    });
  });
});
