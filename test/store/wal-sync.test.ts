// Durability of acknowledgements on SQLite: commits run with synchronous=NORMAL, so transaction() may only
// resolve after our own WAL sync has finished, and syncs are shared by commits that arrive together.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { openSqliteStore } from "../../service/store/sqlite";
import type { Store } from "../../service/store/port";

const realSync = promisify(fs.fdatasync);

describe("store/sqlite: acknowledged means synced", () => {
  let dir: string;
  let store: Store;
  let syncs: Array<() => void>;
  let started: number;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-wal-"));
    syncs = [];
    started = 0;
    // A sync that finishes only when the test says so, after really syncing.
    const heldSync = (fd: number) => {
      started++;
      return new Promise<void>((resolve, reject) => syncs.push(() => realSync(fd).then(resolve, reject)));
    };
    store = await openSqliteStore(path.join(dir, "s.db"), { syncWal: heldSync });
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

  it("shares syncs: twenty concurrent commits need at most two", async () => {
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => append(i)));
    for (let i = 0; i < 40 && (syncs.length > 0 || started < 2); i++) {
      await new Promise((r) => setTimeout(r, 20));
      syncs.shift()?.();
    }
    await all;
    expect(started).to.be.within(1, 2);
    expect(await store.records.count()).to.equal(20);
  });
});
