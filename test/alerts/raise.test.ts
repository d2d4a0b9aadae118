// raiseAlert appends `alert.raised` and creates the alert in the caller's transaction: they commit with the caller's
// state change or not at all.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { openSqliteStore } from "../../service/store/sqlite";
import { raiseAlert, SYSTEM_COMPANY } from "../../service/alerts/raise";
import { ALERT_SCHEMA, type AlertStore } from "../../service/alerts/schema";
import { acceptedCount, draft, sequenceAll } from "../store/fixtures";

const AT = new Date("2026-11-22T08:00:00.000Z");

describe("alerts: raised inside the caller's transaction", function () {
  let dir: string;
  let store: AlertStore;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-alerts-"));
    store = await openSqliteStore(path.join(dir, "sealproof.db"), { schema: ALERT_SCHEMA });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("commits with the state change that caused it, its severity taken from its code", async () => {
    const raised = await store.transaction(async (tx) => {
      await tx.records.append([draft("c_1")]);
      return raiseAlert(tx, { code: "ROOT_MISMATCH", at: AT, company: "c_1", subject: "s_1", source: "test", data: { batch: 3 } });
    });
    const system = await store.transaction((tx) => raiseAlert(tx, { code: "BATCHES_REANCHORING", at: AT, company: SYSTEM_COMPANY, subject: "batcher", source: "batcher", data: { from: 1, to: 2 } }));
    await sequenceAll(store);
    const [change, first, second] = await store.records.list({ limit: 10 });
    expect(change.company).to.equal("c_1");
    expect(first).to.deep.include({ seq: 1, type: "alert.raised", at: AT.toISOString(), company: "c_1", subject: "s_1", actor: "test" });
    expect(first.data).to.deep.equal({ code: "ROOT_MISMATCH", severity: "critical", batch: 3, alert: raised.id });
    expect(second).to.deep.include({ company: "system", subject: "batcher", actor: "batcher" });
    expect(second.data).to.deep.equal({ code: "BATCHES_REANCHORING", severity: "warning", from: 1, to: 2, alert: system.id });
    expect(await store.alerts.get(raised.id)).to.deep.include({ company: "c_1", code: "ROOT_MISMATCH", severity: "critical", state: "open", seal: "s_1", device: null, createdAt: AT.toISOString() });
    expect((await store.alerts.list("system")).map((a) => a.id)).to.deep.equal([system.id]);
  });

  it("is gone with the caller's transaction when the caller throws", async () => {
    const refused = await store
      .transaction(async (tx) => {
        await tx.records.append([draft("c_1")]);
        await raiseAlert(tx, { code: "CHAIN_OUT_OF_STEP", at: AT, company: "c_1", subject: "s_1", source: "test", data: {} });
        throw new Error("the caller refused");
      })
      .catch((err: Error) => err.message);
    expect(refused).to.equal("the caller refused");
    expect(await acceptedCount(store)).to.equal(0);
    expect(await store.alerts.list("c_1")).to.deep.equal([]);
  });
});
