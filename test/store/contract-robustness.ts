// The Store contract, continued: what a store must do when transactions fail, contend, nest, or are read right after
// they commit. Written for MongoDB's failure modes (issue 14, item 4) and run against every adapter, so SQLite is held to
// the same promises; on one MongoDB server some of it passes trivially, and the comments in service/store/mongo/ give
// the reasoning a replica set under failover would test.
import { expect } from "chai";
import type { Company, Grant, Member } from "../../service/domain/model";
import { StoreConflictError, type Store } from "../../service/store/port";
import { company, draft, expectedProofs, member, rejection, scenario, sequenceAll } from "./fixtures";
import type { TestSchema } from "./schema";

const CONCURRENT = 50;

export function describeStoreRobustness(name: string, open: () => Promise<Store<TestSchema>>): void {
  describe(`Store contract, robustness: ${name}`, function () {
    let store: Store<TestSchema>;

    beforeEach(async function () {
      store = await open();
    });

    afterEach(async function () {
      await store.close();
    });

    describe("writes from inside a transaction's fn", function () {
      it("refuses store.transaction() and every store write made inside a transaction's fn at once; the outer transaction still commits", async function () {
        const outer = store;
        const refusals = await outer.transaction(async (tx) => {
          await tx.members.insert(member("m_outer", "c_1"));
          // Each would be a transaction of its own that could wait on this one (which waits on fn): refused at once.
          const attempts: Promise<unknown>[] = [
            outer.transaction(async (inner) => inner.members.insert(member("m_nested", "c_1"))),
            outer.members.insert(member("m_beside", "c_1")),
            outer.members.update(member("m_outer", "c_1", { active: false })),
            outer.members.delete("m_outer"),
            outer.records.append([draft("c_1")]),
            outer.outbox.add({ target: "device:d1", kind: "lock", payload: {} }),
            outer.leases.acquire("batcher", "A", 60_000, new Date()),
            outer.purgeExpired(new Date()),
          ];
          const errors = await within(5_000, Promise.all(attempts.map((attempt) => rejection(attempt))), "a nested write to be refused");
          // Reads outside the transaction stay allowed: they see what is committed, which is not yet this.
          expect(await outer.members.get("m_outer")).to.equal(null);
          return errors;
        });
        for (const err of refusals) expect((err as Error).message).to.match(/inside a transaction/);
        expect((await store.members.get("m_outer"))?.active).to.equal(true);
        for (const id of ["m_nested", "m_beside"]) expect(await store.members.get(id)).to.equal(null);
        expect(await store.outbox.next(new Date(), 10)).to.deep.equal([]);
        expect(await store.leases.acquire("batcher", "B", 60_000, new Date())).to.equal(true);
        // Once the transaction is over, the same calls work.
        await store.transaction(async (tx) => tx.members.insert(member("m_after", "c_1")));
        expect((await store.members.get("m_after"))?.id).to.equal("m_after");
      });
    });

    describe("a failed write inside a transaction", function () {
      it("never commits the writes after a failed one that fn caught, unless the store undid only the failed write", async function () {
        await store.scenarios.insert(scenario("sc_1", "c_1", "CONTRACT"));
        let first: unknown;
        let later: unknown;
        const outcome = await store
          .transaction(async (tx) => {
            first = await rejection(tx.scenarios.insert(scenario("sc_2", "c_1", "CONTRACT")));
            later = await tx.members.insert(member("m_after", "c_1")).then(
              () => null,
              (err: unknown) => err,
            );
            return "returned";
          })
          .then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
        expect(first).to.be.instanceOf(StoreConflictError);
        expect(first).to.include({ kind: "scenarios", key: "code:c_1:CONTRACT" });
        if (later === null) {
          // SQLite: the failed insert was undone alone (a savepoint), the transaction went on and committed the rest.
          expect(outcome).to.deep.equal({ value: "returned" });
          expect((await store.members.get("m_after"))?.id).to.equal("m_after");
        } else {
          // MongoDB: the failed insert aborted the transaction on the server. The later write is refused with that same
          // failure (without going to the server, where it would earn NoSuchTransaction), and so is the commit.
          expect(later).to.equal(first);
          expect(outcome).to.deep.equal({ error: first });
          expect(await store.members.get("m_after")).to.equal(null);
        }
        expect(await store.scenarios.get("sc_2")).to.equal(null);
        expect((await store.scenarios.getByKey("code:c_1:CONTRACT"))?.id).to.equal("sc_1");
      });
    });

    describe("contention", function () {
      const counted = (uses: number): Grant => ({
        id: "g_1", company: "c_1", member: "m_1", seal: "s_1", scenarios: ["sc_1"], validFrom: "2026-01-01T00:00:00.000Z",
        validTo: "2027-01-01T00:00:00.000Z", useLimit: null, uses, givenBy: "m_rep", withdrawn: false, createdAt: "2026-01-01T00:00:00.000Z",
      });

      /** A read-modify-write of the one grant's use count that turns any failed update into `refuse()`. */
      const countOne = (refuse: () => string) =>
        store.transaction(async (tx) => {
          const grant = await tx.grants.get("g_1");
          if (grant === null) throw new Error("the grant is missing");
          try {
            await tx.grants.update({ ...grant, uses: grant.uses + 1 });
          } catch {
            return refuse();
          }
          await tx.records.append([draft("c_1", { uses: grant.uses + 1 })]);
          return "counted";
        });

      it(`counts all of ${CONCURRENT} concurrent read-modify-write transactions on one document, even when fn answers a failed write with a refusal`, async function () {
        await store.grants.insert(counted(0));
        // A write conflict between concurrent transactions is the store's to retry: were it handed to fn, fn's catch
        // would make it a refusal ("already used") for a write that merely lost a race.
        const returned = await Promise.all(Array.from({ length: CONCURRENT / 2 }, () => countOne(() => "refused")));
        const thrown = await Promise.allSettled(
          Array.from({ length: CONCURRENT / 2 }, () =>
            countOne(() => {
              throw new RangeError("refused");
            }),
          ),
        );
        expect(returned.filter((value) => value !== "counted")).to.deep.equal([]);
        expect(thrown.filter((settled) => settled.status !== "fulfilled")).to.deep.equal([]);
        expect((await store.grants.get("g_1"))?.uses).to.equal(CONCURRENT);
      });
    });

    describe("reads after one's own commit", function () {
      it("reads every write the moment it is acknowledged: documents, records, outbox marks and leases", async function () {
        for (let i = 0; i < 20; i++) {
          const m = member(`m_${i}`, "c_1");
          await store.members.insert(m);
          expect(await store.members.get(m.id), `insert ${i}`).to.deep.equal(m);
          await store.members.update({ ...m, active: false });
          expect((await store.members.list("c_1", { active: false })).map((x) => x.id), `update ${i}`).to.include(m.id);
          const receipt = `R${String(i).padStart(15, "x")}`;
          await store.transaction(async (tx) => {
            await tx.companies.insert(company(`c_${i}_new`, creditCode(i)));
            await tx.records.append([draft(`c_${i}_new`, { receipt }, "seal.used")]);
          });
          expect(await store.companies.getByKey(`creditCode:${creditCode(i)}`), `transaction ${i}`).to.not.equal(null);
          expect(await store.records.getByReceipt(receipt), `record ${i}`).to.not.equal(null);
          expect((await store.records.page({ company: `c_${i}_new` }, { limit: 10 })).items, `record page ${i}`).to.have.length(1);
          await store.members.delete(m.id);
          expect(await store.members.get(m.id), `delete ${i}`).to.equal(null);
        }

        const now = new Date("2026-11-22T08:00:00.000Z");
        for (let n = 0; n < 10; n++) {
          await store.outbox.add({ target: "device:d1", kind: "lock", payload: { n } });
          const [head] = await store.outbox.next(now, 10);
          expect(head?.payload.n, `outbox head ${n}`).to.equal(n);
          await store.outbox.markDelivered(head.id, now);
          // A delivered entry is never handed out again, however soon the deliverer asks.
          expect(await store.outbox.next(now, 10), `after delivery ${n}`).to.deep.equal([]);
        }

        expect(await store.leases.acquire("batcher", "A", 60_000, now)).to.equal(true);
        await store.leases.release("batcher", "A");
        expect(await store.leases.acquire("batcher", "B", 60_000, now)).to.equal(true);
      });
    });

    describe("large batches", function () {
      it("sequences a batch of thousands, within the store's own cap, and reads back every proof, across proof chunks", async function () {
        const total = 2_100;
        for (let from = 0; from < total; from += 300) {
          await store.transaction(async (tx) => tx.records.append(Array.from({ length: Math.min(300, total - from) }, (_, i) => draft("c_1", { n: from + i }))));
        }
        // A store may hold fewer records a batch than the caller allows (MongoDB: MONGO_BATCH_MAX, so that one batch's
        // transaction stays far from the server's limits); the rest wait for the next batch, none is lost or repeated.
        const batches = await sequenceAll(store, 5_000);
        expect(batches.reduce((sum, batch) => sum + batch.count, 0)).to.equal(total);
        expect(batches[0].count).to.be.at.least(2_048);
        let next = 0;
        for (const [id, batch] of batches.entries()) {
          expect(batch).to.deep.include({ id, firstSeq: next });
          const proofs = await expectedProofs(store, batch);
          // Every proof, so both sides of every chunk boundary (MongoDB: 1,024 proofs a document) are read.
          for (const [i, proof] of proofs.entries()) expect(await store.batches.proof(batch.firstSeq + i), `seq ${batch.firstSeq + i}`).to.deep.equal(proof);
          next += batch.count;
        }
        expect(await store.batches.proof(total)).to.equal(null);
        expect((await store.records.list({ fromSeq: total - 2, limit: 5 })).map((r) => r.data.n)).to.have.length(2);
        expect((await store.records.waiting()).count).to.equal(0);
      });
    });

    describe("lists", function () {
      it("filters lists and pages by deep equality only: no array element, missing field or key order stands in for the value", async function () {
        const ann = member("m_ann", "c_1", { roles: ["employee"] });
        const bob = member("m_bob", "c_1", { roles: ["employee", "auditor"] });
        const cyd: Member = member("m_cyd", "c_1", { roles: ["auditor"] });
        for (const m of [ann, bob, cyd]) await store.members.insert(m);
        // A value that is one element of a stored array is not equal to the array.
        const byElement = { roles: "employee" } as unknown as Partial<Member>;
        expect(await store.members.list("c_1", byElement)).to.deep.equal([]);
        expect(await store.members.page("c_1", byElement, { limit: 1 })).to.deep.equal({ items: [], next: null });
        expect(await store.members.list("c_1", { roles: ["employee"] })).to.deep.equal([ann]);
        expect(await store.members.list("c_1", { roles: ["auditor", "employee"] })).to.deep.equal([]);

        // An object is equal whatever the order of its keys; a null is not a missing field.
        const acme: Company = company("c_acme", "91350100M000100Y43");
        await store.companies.insert(acme);
        const { checkedAt, method, ok, note } = acme.registryCheck;
        expect(await store.companies.list("c_acme", { registryCheck: { note, ok, method, checkedAt } })).to.deep.equal([acme]);
        const granted = { id: "g_1", company: "c_1", member: "m_ann", seal: "s_1", scenarios: ["sc_1"], validFrom: "v", validTo: "v", useLimit: null, uses: 0, givenBy: "m_rep", withdrawn: false, createdAt: "t" };
        await store.grants.insert(granted);
        await store.grants.insert({ ...granted, id: "g_2", parent: null });
        expect((await store.grants.list("c_1", { parent: null })).map((g) => g.id)).to.deep.equal(["g_2"]);

        // A page reads on past documents the server's looser match let through, so a page is never short of a match.
        for (let i = 0; i < 6; i++) await store.members.insert(member(`m_x${i}`, "c_2", { roles: i % 3 === 0 ? ["employee"] : ["employee", "auditor"] }));
        const first = await store.members.page("c_2", { roles: ["employee"] }, { limit: 1 });
        expect(first.items.map((m) => m.id)).to.deep.equal(["m_x0"]);
        const second = await store.members.page("c_2", { roles: ["employee"] }, { after: first.next ?? undefined, limit: 1 });
        expect(second).to.deep.equal({ items: [member("m_x3", "c_2", { roles: ["employee"] })], next: null });
      });

      it("lists oldest first through many inserts made in the same millisecond, and keeps a document's place when updated", async function () {
        const members = Array.from({ length: 300 }, (_, i) => member(`m_${String(i).padStart(3, "0")}`, "c_1", { department: i % 2 === 0 ? "a" : "b" }));
        for (const m of members) await store.members.insert(m);
        await store.members.update({ ...members[0], active: false });
        const ids = (await store.members.list("c_1")).map((m) => m.id);
        expect(ids).to.deep.equal(members.map((m) => m.id));
        const paged: string[] = [];
        let after: string | undefined;
        do {
          const page = await store.members.page("c_1", { department: "b" }, { after, limit: 7 });
          paged.push(...page.items.map((m) => m.id));
          after = page.next ?? undefined;
        } while (after !== undefined);
        expect(paged).to.deep.equal(members.filter((_, i) => i % 2 === 1).map((m) => m.id));
      });
    });
  });
}

/** Valid-looking unified social credit codes, distinct per i (the store checks no check digit). */
function creditCode(i: number): string {
  return `91350100M${String(i).padStart(8, "0")}X`;
}

/** The promise's value, or a failure naming what the test waited for once `ms` have passed. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
