// Runs the Store contract against SQLite always and MongoDB when MONGODB_URI is set, plus SQLite's durability.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "chai";
import type { Store } from "../../service/store/port";
import { MIGRATIONS } from "../../service/store/sqlite/migrations";
import { listByFieldSql } from "../../service/store/sqlite/documents";
import type { Grant } from "../../service/domain/model";
import { describeStoreContract } from "./contract";
import { AT, anchor, closeBatch, company, sequencedAs, draft, member, rejection, scenario, sequenceAll } from "./fixtures";
import { batchTree } from "../../service/anchoring/batch-tree";
import { canonicalJson, recordLeafHash, toHex } from "../../service/evidence";
import { sqliteRecordId } from "../../service/store/records";
import type { TestSchema } from "./schema";
import { freshDbFile, onEveryAdapter, openTestSqliteStore as openSqliteStore } from "./adapters";

onEveryAdapter("Store contract", describeStoreContract);

describe("sqlite store", function () {
  let file: string;
  let store: Store<TestSchema> | null;

  beforeEach(function () {
    file = freshDbFile();
    store = null;
  });

  afterEach(async function () {
    await store?.close();
  });

  it("keeps documents, unique keys and records across close and reopen", async function () {
    const first = await openSqliteStore(file);
    await first.transaction(async (tx) => {
      await tx.companies.insert(company("c_1", "91350100M000100Y43"));
      await tx.records.append([draft("c_1", { n: 0 }), draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")]);
    });
    await first.close();

    store = await openSqliteStore(file);
    expect((await store.companies.getByKey("creditCode:91350100M000100Y43"))?.id).to.equal("c_1");
    expect((await store.records.waiting()).count).to.equal(2);
    expect((await store.records.getByReceipt("R4mZpW4tYbN3x8Kq"))?.record).to.deep.include({ seq: null, type: "seal.used" });
    await store.records.append([draft("c_1")]);
    await sequenceAll(store);
    expect((await store.records.getByReceipt("R4mZpW4tYbN3x8Kq"))?.record.seq).to.equal(1);
    expect((await store.records.list({ limit: 10 })).map((r) => r.seq)).to.deep.equal([0, 1, 2]);
  });

  it("has every record transaction() acknowledged after the process is killed with SIGKILL", async function () {
    const acked = await runAndKill(file, 300);
    expect(acked.size).to.be.at.least(300);
    store = await openSqliteStore(file);
    for (const [id, n] of acked) expect((await store.records.byId(id))?.record.data.n, `record ${id}`).to.equal(n);
    const { count } = await store.records.waiting();
    expect(count).to.be.at.least(acked.size);
    // The sequencer numbers every accepted record once, contiguously, whatever the kill interrupted.
    await sequenceAll(store, 128);
    const all = await store.records.list({ limit: count + 1 });
    expect(all.map((r) => r.seq)).to.deep.equal(Array.from({ length: count }, (_, i) => i));
    for (const id of acked.keys()) expect((await store.records.byId(id))?.record.seq, `record ${id}`).to.be.a("number");
  });

  it("fails store.transaction() called inside a transaction's fn instead of waiting forever", async function () {
    store = await openSqliteStore(file);
    const outer = store;
    const err = await rejection(outer.transaction(async () => outer.transaction(async () => "inner")));
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/inside a transaction/);
    expect(await outer.transaction(async () => "later")).to.equal("later");
  });

  it("undoes only the failed write when fn catches a conflict and carries on", async function () {
    store = await openSqliteStore(file);
    await store.scenarios.insert(scenario("sc_1", "c_1", "CONTRACT"));
    const lease = scenario("sc_2", "c_1", "LEASE");
    await store.scenarios.insert(lease);
    await store.transaction(async (tx) => {
      await rejection(tx.scenarios.update({ ...lease, code: "CONTRACT" }));
      await tx.members.insert(member("m_1", "c_1"));
    });
    expect(await store.scenarios.getByKey("code:c_1:LEASE")).to.deep.equal(lease);
    expect((await store.scenarios.getByKey("code:c_1:CONTRACT"))?.id).to.equal("sc_1");
    expect((await store.members.get("m_1"))?.id).to.equal("m_1");
  });

  it("shares leases and batches between two stores open on the same file, as two processes would", async function () {
    const first = await openSqliteStore(file);
    const second = await openSqliteStore(file);
    try {
      const now = new Date("2026-11-22T08:00:00.000Z");
      expect(await first.leases.acquire("batcher", "A", 10_000, now)).to.equal(true);
      expect(await second.leases.acquire("batcher", "B", 10_000, now)).to.equal(false);
      await first.records.append([draft("c_1"), draft("c_1")]);
      const { batch } = await closeBatch(first, 0, 0, 2);
      expect(await second.batches.forSeq(1)).to.deep.equal(batch);
      // The second store's sequencer sees the first's batch and numbers only what came after it.
      expect(await second.batches.sequence(10, new Date(), batchTree)).to.equal(null);
      await second.records.append([draft("c_2")]);
      await closeBatch(second, 1, 2, 1);
      await first.leases.release("batcher", "A");
      expect(await second.leases.acquire("batcher", "B", 10_000, now)).to.equal(true);
      expect(await first.leases.acquire("batcher", "A", 10_000, now)).to.equal(false);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it("keeps batches, proofs and anchors across close and reopen", async function () {
    const first = await openSqliteStore(file);
    await first.records.append([draft("c_1"), draft("c_1"), draft("c_1")]);
    const { batch, proofs } = await closeBatch(first, 0, 0, 3);
    await first.batches.setAnchor(0, anchor("0a", 7));
    await first.close();

    store = await openSqliteStore(file);
    expect(await store.batches.get(0)).to.deep.equal({ ...batch, anchor: anchor("0a", 7) });
    expect(await store.batches.proof(2)).to.deep.equal(proofs[2]);
  });

  it("upgrades a file written by schema version 1 in place, its records kept and batchable", async function () {
    const old = new Database(file);
    old.exec(MIGRATIONS[0].sql);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    old.prepare("INSERT INTO schema_migrations VALUES (1, ?, ?)").run(MIGRATIONS[0].name, "2026-01-01T00:00:00.000Z");
    old.prepare("INSERT INTO records (seq, company, type, receipt, body) VALUES (0, 'c_1', 'member.added', NULL, ?)").run('{"body":"as v1 stored it"}');
    old.close();

    store = await openSqliteStore(file);
    expect(await store.batches.recordTexts(0, 10)).to.deep.equal(['{"body":"as v1 stored it"}']);
    // Numbered when written, before sequencing existed: the sequencer batches it as it is, before what waits.
    const [accepted] = await store.records.append([draft("c_1")]);
    await closeBatch(store, 0, 0, 1);
    expect(await store.batches.recordTexts(0, 1)).to.deep.equal(['{"body":"as v1 stored it"}']);
    const { batch } = await closeBatch(store, 1, 1, 1);
    expect(await store.batches.forSeq(1)).to.deep.equal(batch);
    expect((await store.records.byId(accepted.id))?.record.seq).to.equal(1);
    // Known by its position as every SQLite record is: pos 1, before the one accepted after the upgrade.
    expect((await store.records.byId(sqliteRecordId(1)))?.record).to.deep.equal({ body: "as v1 stored it" });
    expect(accepted.id).to.equal(sqliteRecordId(2));
  });

  it("sequences without writing to the record table, which refuses an update, a delete and a gap in positions", async function () {
    store = await openSqliteStore(file);
    const accepted = await store.records.append([draft("c_1", { n: 0 }), draft("c_1", { n: 1 }), draft("c_1", { n: 2 })]);
    const before = rawRecords(file);
    await closeBatch(store, 0, 0, 3);
    // The batch is what sequenced them: every stored row is byte for byte as accepted, and reads give the final text.
    expect(rawRecords(file)).to.deep.equal(before);
    expect(before.every((row) => row.seq === null && row.body.includes('"seq":null'))).to.equal(true);
    expect((await store.records.get(1))?.data).to.deep.equal({ n: 1 });
    expect(await store.batches.recordTexts(0, 3)).to.deep.equal(sequencedAs(accepted.map(({ record }) => record)).map((record) => canonicalJson(record)));

    const db = new Database(file);
    try {
      const refused = (sql: string): string => {
        try {
          db.prepare(sql).run();
          return "ran";
        } catch (err) {
          return (err as Error).message;
        }
      };
      expect(refused(`UPDATE records SET body = replace(body, '"n":1', '"n":9') WHERE pos = 2`)).to.equal("records are append-only");
      expect(refused("DELETE FROM records WHERE pos = 3")).to.equal("records are never deleted");
      // A row placed past the end would shift what seq the records after it read with.
      const row = `'c_1', 'member.added', NULL, '${AT}', 'c_1', '${AT}', '{}'`;
      expect(refused(`INSERT INTO records (pos, company, type, receipt, at, subject, accepted_at, body) VALUES (5, ${row})`)).to.equal("records: positions must be contiguous");
      expect(refused(`INSERT INTO records (pos, company, type, receipt, at, subject, accepted_at, body) VALUES (4, ${row})`)).to.equal("ran");
    } finally {
      db.close();
    }
  });

  it("upgrades a file of schema version 7, whose sequencer updated records, keeping sequenced and waiting records as they read", async function () {
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 7)) {
      old.exec(migration.sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(migration.version, migration.name, AT);
    }
    const body = (n: number, seq: number | null): string =>
      `{"actor":"m_1","at":"${AT}","company":"c_1","data":{"n":${n}},"seq":${seq},"subject":"c_1","type":"member.added","v":1}`;
    const insert = old.prepare("INSERT INTO records (company, type, receipt, at, subject, accepted_at, body) VALUES ('c_1', 'member.added', NULL, ?, 'c_1', ?, ?)");
    for (let n = 0; n < 4; n++) insert.run(AT, AT, body(n, null));
    // Schema 7's sequencer: seq and the final text written into the first two rows, then their batch.
    for (const seq of [0, 1]) old.prepare("UPDATE records SET seq = ?, body = ? WHERE pos = ?").run(seq, body(seq, seq), seq + 1);
    old.close();

    store = await openSqliteStore(file);
    expect(await store.records.count()).to.equal(2);
    expect(await store.batches.recordTexts(0, 10)).to.deep.equal([body(0, 0), body(1, 1)]);
    expect((await store.records.waiting()).count).to.equal(2);
    expect((await store.records.byId(sqliteRecordId(3)))?.record.seq).to.equal(null);
    await sequenceAll(store);
    expect(await store.batches.recordTexts(0, 10)).to.deep.equal([0, 1, 2, 3].map((n) => body(n, n)));
    expect((await store.records.list({ company: "c_1", fromSeq: 1, limit: 2 })).map((r) => r.data.n)).to.deep.equal([1, 2]);
  });
});

describe("sqlite store: record v2 on a file with v1 records", function () {
  it("continues each company's chain from its v1 records, sequenced before the upgrade or waiting at it", async function () {
    const file = freshDbFile();
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 8)) {
      old.exec(migration.sql);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(migration.version, migration.name, AT);
    }
    old.close();
    // Schema 8 wrote v1 records: three of c_1 sequenced into a batch, one more of c_1 and one of c_2 waiting.
    const v1 = (company: string, n: number): string =>
      `{"actor":"m_1","at":"${AT}","company":"${company}","data":{"n":${n}},"seq":null,"subject":"${company}","type":"member.added","v":1}`;
    const raw = new Database(file);
    const insert = raw.prepare("INSERT INTO records (company, type, receipt, at, subject, accepted_at, body) VALUES (?, 'member.added', NULL, ?, ?, ?, ?)");
    for (const [company, n] of [["c_1", 0], ["c_1", 1], ["c_1", 2]] as const) insert.run(company, AT, company, AT, v1(company, n));
    raw.close();
    // Opening migrates to the latest schema; the batch over the first three is then closed as schema 8 would have.
    const store = await openSqliteStore(file);
    try {
      await closeBatch(store, 0, 0, 3);
      const raw2 = new Database(file);
      for (const [company, n] of [["c_1", 3], ["c_2", 4]] as const) raw2.prepare("INSERT INTO records (company, type, receipt, at, subject, accepted_at, body) VALUES (?, 'member.added', NULL, ?, ?, ?, ?)").run(company, AT, company, AT, v1(company, n));
      // The company heads a file upgraded with sequenced records starts without.
      raw2.exec("DELETE FROM company_heads");
      raw2.close();

      const [c1Next] = await store.records.append([draft("c_1", { n: 5 })]);
      const [c2Next] = await store.records.append([draft("c_2", { n: 6 })]);
      await sequenceAll(store);
      const all = await store.records.list({ limit: 10 });
      expect(all.map((r) => r.v)).to.deep.equal([1, 1, 1, 1, 1, 2, 2]);
      const c1 = all.filter((r) => r.company === "c_1");
      const c2 = all.filter((r) => r.company === "c_2");
      // c_1's fifth record (cseq 4) follows its four v1 records; c_2's second (cseq 1) its one.
      expect((await store.records.byId(c1Next.id))?.record).to.deep.include({ cseq: 4, prev: toHex(recordLeafHash(c1[3])) });
      expect((await store.records.byId(c2Next.id))?.record).to.deep.include({ cseq: 1, prev: toHex(recordLeafHash(c2[0])) });
    } finally {
      await store.close();
    }
  });
});

/** The record table's rows as stored, read past the store. */
function rawRecords(file: string): Array<{ pos: number; seq: number | null; body: string }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT pos, seq, body FROM records ORDER BY pos").all() as Array<{ pos: number; seq: number | null; body: string }>;
  } finally {
    db.close();
  }
}

describe("store/sqlite: lookups by member", function () {
  it("finds one member's grants through the by-member index, oldest first, without reading the company's other grants", async function () {
    const file = freshDbFile();
    const store = await openSqliteStore(file);
    try {
      const grant = (i: number, memberId: string): Grant => ({
        id: `g_${i}`, company: "c_1", member: memberId, seal: "s_1", scenarios: ["sc_1"], validFrom: "2026-01-01T00:00:00.000Z",
        validTo: "2027-01-01T00:00:00.000Z", useLimit: null, uses: 0, givenBy: "m_rep", withdrawn: i % 2 === 0, createdAt: "2026-01-01T00:00:00.000Z",
      });
      for (let i = 0; i < 600; i++) await store.grants.insert(grant(i, `m_${i % 50}`));
      await store.grants.insert({ ...grant(600, "m_7"), company: "c_2" });

      const held = await store.grants.list("c_1", { member: "m_7" });
      expect(held.map((g) => g.id)).to.deep.equal(Array.from({ length: 12 }, (_, k) => `g_${7 + 50 * k}`));
      expect((await store.grants.list("c_1", { member: "m_7", withdrawn: false })).map((g) => g.id)).to.deep.equal(held.filter((g) => !g.withdrawn).map((g) => g.id));
      expect(await store.grants.list("c_1", { member: "m_nobody" })).to.deep.equal([]);

      const db = new Database(file, { readonly: true });
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${listByFieldSql("grants", "member")}`).all("c_1", "m_7", 0) as Array<{ detail: string }>;
      db.close();
      expect(plan.map((step) => step.detail).join("; ")).to.equal("SEARCH documents USING INDEX documents_grants_by_member (company=? AND <expr>=? AND created>?)");
    } finally {
      await store.close();
    }
  });
});

describe("store: no domain", function () {
  it("has no file under service/store/ that imports from service/domain/ or service/http/", function () {
    const root = path.join(__dirname, "../../service/store");
    const files = fs.readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.length).to.be.greaterThan(10);
    const offending = files.filter((f) => /from "(\.\.\/)+(domain|http)\//.test(fs.readFileSync(path.join(root, f), "utf8")));
    expect(offending).to.deep.equal([]);
  });
});

/** Runs crash-appender.ts on `file` and kills it with SIGKILL once it has acknowledged `atLeast` records. */
function runAndKill(file: string, atLeast: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "crash-appender.ts"), file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acked = new Map<string, number>();
  let pending = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const match = /^acked (rec_\w+) (\d+)$/.exec(line);
        if (match) acked.set(match[1], Number(match[2]));
      }
      if (acked.size >= atLeast && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(acked);
      else reject(new Error(`the appender exited with ${code ?? signal} before it was killed: ${stderr}`));
    });
  });
}
