// The Store contract: what every adapter must do, run by store.test.ts against each adapter unchanged.
import { expect } from "chai";
import { recordBytes, type EvidenceRecord } from "../../service/evidence";
import { StoreConflictError, StoreNotFoundError, type Store, type Tx } from "../../service/store/port";
import { company, draft, member, rejection, scenario } from "./fixtures";

const CONCURRENT = 50;

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, function () {
    let store: Store;

    beforeEach(async function () {
      store = await open();
    });

    afterEach(async function () {
      await store.close();
    });

    describe("documents", function () {
      it("round-trips a company through insert, get, getByKey, list, update and delete", async function () {
        const acme = company("c_acme", "91350100M000100Y43");
        await store.companies.insert(acme);
        expect(await store.companies.get("c_acme")).to.deep.equal(acme);
        expect(await store.companies.getByKey("creditCode:91350100M000100Y43")).to.deep.equal(acme);
        expect(await store.companies.list("c_acme")).to.deep.equal([acme]);

        const renamed = { ...acme, name: "Acme Holdings" };
        await store.companies.update(renamed);
        expect(await store.companies.get("c_acme")).to.deep.equal(renamed);

        await store.companies.delete("c_acme");
        expect(await store.companies.get("c_acme")).to.equal(null);
        expect(await store.companies.getByKey("creditCode:91350100M000100Y43")).to.equal(null);
        expect(await store.companies.list("c_acme")).to.deep.equal([]);
      });

      it("lists one company's members oldest first, filtered by equality on every given field", async function () {
        const ann = member("m_ann", "c_1");
        const bob = member("m_bob", "c_1", { roles: ["legal_rep"], department: null });
        const cyd = member("m_cyd", "c_1", { roles: ["employee", "auditor"] });
        const dan = member("m_dan", "c_2");
        for (const m of [ann, bob, cyd, dan]) await store.members.insert(m);

        expect(await store.members.list("c_1")).to.deep.equal([ann, bob, cyd]);
        expect(await store.members.list("c_1", { department: "sales" })).to.deep.equal([ann, cyd]);
        expect(await store.members.list("c_1", { department: null })).to.deep.equal([bob]);
        expect(await store.members.list("c_1", { roles: ["employee"], active: true })).to.deep.equal([ann]);
        expect(await store.members.list("c_1", { department: undefined })).to.deep.equal([ann, bob, cyd]);
        expect(await store.members.list("c_1", { company: "c_2" })).to.deep.equal([]);
        expect(await store.members.list("c_3")).to.deep.equal([]);

        // An update keeps the document's place in the list.
        const annLeft = { ...ann, active: false };
        await store.members.update(annLeft);
        expect(await store.members.list("c_1")).to.deep.equal([annLeft, bob, cyd]);
        expect(await store.members.list("c_1", { active: true })).to.deep.equal([bob, cyd]);
      });

      it("moves a unique key on update and frees it on delete", async function () {
        await store.scenarios.insert(scenario("sc_1", "c_1", "CONTRACT"));
        await store.scenarios.update(scenario("sc_1", "c_1", "LEASE"));
        expect(await store.scenarios.getByKey("code:c_1:CONTRACT")).to.equal(null);
        expect((await store.scenarios.getByKey("code:c_1:LEASE"))?.id).to.equal("sc_1");

        await store.scenarios.insert(scenario("sc_2", "c_1", "CONTRACT"));
        expect((await store.scenarios.getByKey("code:c_1:CONTRACT"))?.id).to.equal("sc_2");

        await store.scenarios.delete("sc_1");
        await store.scenarios.insert(scenario("sc_3", "c_1", "LEASE"));
        expect((await store.scenarios.getByKey("code:c_1:LEASE"))?.id).to.equal("sc_3");
        // The same code in another company is another key.
        await store.scenarios.insert(scenario("sc_4", "c_2", "LEASE"));
        expect((await store.scenarios.getByKey("code:c_2:LEASE"))?.id).to.equal("sc_4");
      });

      it("refuses an insert whose unique key is taken with StoreConflictError and writes nothing", async function () {
        const first = company("c_first", "91350100M000100Y43");
        await store.companies.insert(first);
        const err = await rejection(store.companies.insert(company("c_second", "91350100M000100Y43")));
        expect(err).to.be.instanceOf(StoreConflictError);
        expect(err).to.include({ kind: "companies", key: "creditCode:91350100M000100Y43" });
        expect(await store.companies.get("c_second")).to.equal(null);
        expect(await store.companies.getByKey("creditCode:91350100M000100Y43")).to.deep.equal(first);
        expect(await store.companies.list("c_second")).to.deep.equal([]);
      });

      it("refuses an update onto a taken unique key and leaves the document and its key as they were", async function () {
        await store.companies.insert(company("c_first", "91350100M000100Y43"));
        const second = company("c_second", "91110000600037341L");
        await store.companies.insert(second);
        const err = await rejection(store.companies.update({ ...second, creditCode: "91350100M000100Y43", name: "Taken" }));
        expect(err).to.be.instanceOf(StoreConflictError);
        expect(err).to.include({ kind: "companies", key: "creditCode:91350100M000100Y43" });
        expect(await store.companies.get("c_second")).to.deep.equal(second);
        expect(await store.companies.getByKey("creditCode:91110000600037341L")).to.deep.equal(second);
        expect((await store.companies.getByKey("creditCode:91350100M000100Y43"))?.id).to.equal("c_first");
      });

      it("refuses a second document with the same id as a conflict on id:<id>", async function () {
        await store.apiKeys.insert({ id: "k_1", company: "c_1", member: "m_1", hash: "aa", prefix: "sp_1", revoked: false, createdAt: "t" });
        const err = await rejection(store.apiKeys.insert({ id: "k_1", company: "c_1", member: "m_2", hash: "bb", prefix: "sp_2", revoked: false, createdAt: "t" }));
        expect(err).to.be.instanceOf(StoreConflictError);
        expect(err).to.include({ kind: "apiKeys", key: "id:k_1" });
        expect((await store.apiKeys.get("k_1"))?.member).to.equal("m_1");
        expect(await store.apiKeys.getByKey("hash:bb")).to.equal(null);
      });

      it("fails an update of a missing document with StoreNotFoundError and creates nothing", async function () {
        const err = await rejection(store.members.update(member("m_ghost", "c_1")));
        expect(err).to.be.instanceOf(StoreNotFoundError);
        expect(err).to.include({ kind: "members", id: "m_ghost" });
        expect(await store.members.get("m_ghost")).to.equal(null);
      });
    });

    describe("transactions", function () {
      it("commits every write and record of fn together and resolves with fn's value", async function () {
        const value = await store.transaction(async (tx) => {
          await tx.companies.insert(company("c_1", "91350100M000100Y43"));
          await tx.members.insert(member("m_1", "c_1"));
          // Reads inside see the transaction's own writes.
          expect((await tx.companies.get("c_1"))?.id).to.equal("c_1");
          const [record] = await tx.records.append([draft("c_1")]);
          expect(await tx.records.count()).to.equal(1);
          expect(await tx.records.get(record.seq)).to.deep.equal(record);
          return "done";
        });
        expect(value).to.equal("done");
        expect((await store.companies.get("c_1"))?.id).to.equal("c_1");
        expect((await store.members.get("m_1"))?.id).to.equal("m_1");
        expect(await store.records.count()).to.equal(1);
      });

      it("leaves nothing when fn throws after writing, and rejects with fn's own error", async function () {
        const kept = member("m_kept", "c_0");
        await store.members.insert(kept);
        await store.records.append([draft("c_0")]);
        const thrown = new RangeError("domain says no");
        const err = await rejection(
          store.transaction(async (tx) => {
            await tx.companies.insert(company("c_1", "91350100M000100Y43"));
            await tx.members.update({ ...kept, active: false });
            await tx.members.delete("m_kept");
            await tx.records.append([draft("c_1"), draft("c_1")]);
            throw thrown;
          }),
        );
        expect(err).to.equal(thrown);
        expect(await store.companies.get("c_1")).to.equal(null);
        expect(await store.companies.getByKey("creditCode:91350100M000100Y43")).to.equal(null);
        expect(await store.members.get("m_kept")).to.deep.equal(kept);
        expect(await store.records.count()).to.equal(1);
        expect(await store.records.get(1)).to.equal(null);
        expect(await store.records.list({ company: "c_1", limit: 10 })).to.deep.equal([]);
        // The key and the seq numbers it held are free again.
        await store.companies.insert(company("c_9", "91350100M000100Y43"));
        const [next] = await store.records.append([draft("c_9")]);
        expect(next.seq).to.equal(1);
      });

      it("fails the whole transaction when a write in it conflicts", async function () {
        await store.companies.insert(company("c_1", "91350100M000100Y43"));
        const err = await rejection(
          store.transaction(async (tx) => {
            await tx.members.insert(member("m_1", "c_2"));
            await tx.records.append([draft("c_2")]);
            await tx.companies.insert(company("c_2", "91350100M000100Y43"));
          }),
        );
        expect(err).to.be.instanceOf(StoreConflictError);
        expect(await store.members.get("m_1")).to.equal(null);
        expect(await store.companies.get("c_2")).to.equal(null);
        expect(await store.records.count()).to.equal(0);
      });

      it("shows reads outside a transaction only what is committed", async function () {
        let reachedGate!: () => void;
        const reached = new Promise<void>((resolve) => (reachedGate = resolve));
        let openGate!: () => void;
        const gate = new Promise<void>((resolve) => (openGate = resolve));
        const committing = store.transaction(async (tx) => {
          await tx.companies.insert(company("c_1", "91350100M000100Y43"));
          await tx.records.append([draft("c_1")]);
          reachedGate();
          await gate;
        });
        await reached;
        try {
          expect(await store.companies.get("c_1")).to.equal(null);
          expect(await store.companies.getByKey("creditCode:91350100M000100Y43")).to.equal(null);
          expect(await store.companies.list("c_1")).to.deep.equal([]);
          expect(await store.records.count()).to.equal(0);
          expect(await store.records.get(0)).to.equal(null);
        } finally {
          openGate();
          await committing;
        }
        expect((await store.companies.get("c_1"))?.id).to.equal("c_1");
        expect(await store.records.count()).to.equal(1);
      });

      it("refuses a tx used after its transaction has ended", async function () {
        let leaked: Tx | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        if (leaked === undefined) throw new Error("fn did not run");
        expect(await rejection(leaked.members.insert(member("m_late", "c_1")))).to.be.instanceOf(Error);
        expect(await rejection(leaked.records.append([draft("c_1")]))).to.be.instanceOf(Error);
        expect(await store.members.get("m_late")).to.equal(null);
        expect(await store.records.count()).to.equal(0);
      });
    });

    describe("records", function () {
      it(`gives ${CONCURRENT} concurrent transactions of one record each seq 0..${CONCURRENT - 1}, once each`, async function () {
        const seqs = await Promise.all(
          Array.from({ length: CONCURRENT }, (_, n) => store.transaction(async (tx) => (await tx.records.append([draft("c_1", { n })]))[0].seq)),
        );
        expect([...seqs].sort((a, b) => a - b)).to.deep.equal(range(CONCURRENT));
        expect(await store.records.count()).to.equal(CONCURRENT);
        const stored = await store.records.list({ limit: 1000 });
        expect(stored.map((r) => r.seq)).to.deep.equal(range(CONCURRENT));
        seqs.forEach((seq, n) => expect(stored[seq].data.n).to.equal(n));
      });

      it("keeps seq contiguous when concurrent transactions fail between ones that succeed", async function () {
        const fails = (n: number): boolean => n % 3 === 1;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 60 }, (_, n) =>
            store.transaction(async (tx) => {
              await tx.members.insert(member(`m_${n}`, "c_1"));
              const [record] = await tx.records.append([draft("c_1", { n })]);
              if (fails(n)) throw new Error(`fail ${n}`);
              return record.seq;
            }),
          ),
        );
        const committed: number[] = [];
        outcomes.forEach((outcome, n) => {
          if (fails(n)) {
            expect(outcome.status).to.equal("rejected");
            expect(outcome.status === "rejected" && (outcome.reason as Error).message).to.equal(`fail ${n}`);
          } else {
            expect(outcome.status).to.equal("fulfilled");
            if (outcome.status === "fulfilled") committed.push(outcome.value);
          }
        });
        expect([...committed].sort((a, b) => a - b)).to.deep.equal(range(40));
        expect(await store.records.count()).to.equal(40);
        const stored = await store.records.list({ limit: 1000 });
        expect(stored.map((r) => r.seq)).to.deep.equal(range(40));
        expect(stored.filter((r) => fails(Number(r.data.n)))).to.deep.equal([]);
        expect(await store.members.list("c_1")).to.have.length(40);
      });

      it("returns appended records unchanged by seq, by receipt id and by company from a seq with a limit", async function () {
        const appended: EvidenceRecord[] = [];
        await store.transaction(async (tx) => {
          appended.push(...(await tx.records.append([draft("c_1", { note: "印章 ✓ \u2028", nested: { list: [1, 2.5, null, true] } }), draft("c_2")])));
          appended.push(...(await tx.records.append([draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")])));
        });
        appended.push(...(await store.records.append([draft("c_2"), draft("c_1", { receipt: "QnotAUsage" }, "document.linked"), draft("c_1")])));
        expect(appended.map((r) => r.seq)).to.deep.equal(range(6));
        expect(appended[0]).to.deep.include({ v: 1, seq: 0, type: "member.added", company: "c_1" });

        for (const record of appended) {
          const stored = await store.records.get(record.seq);
          expect(stored).to.deep.equal(record);
          expect(Buffer.from(recordBytes(stored as EvidenceRecord)).equals(Buffer.from(recordBytes(record)))).to.equal(true);
        }
        expect(await store.records.get(6)).to.equal(null);

        expect(await store.records.getByReceipt("R4mZpW4tYbN3x8Kq")).to.deep.equal(appended[2]);
        expect(await store.records.getByReceipt("QnotAUsage")).to.equal(null);
        expect(await store.records.getByReceipt("Rnone")).to.equal(null);

        const seqsOf = (records: EvidenceRecord[]): number[] => records.map((r) => r.seq);
        expect(seqsOf(await store.records.list({ company: "c_1", limit: 10 }))).to.deep.equal([0, 2, 4, 5]);
        expect(seqsOf(await store.records.list({ company: "c_1", fromSeq: 1, limit: 2 }))).to.deep.equal([2, 4]);
        expect(seqsOf(await store.records.list({ company: "c_2", fromSeq: 2, limit: 10 }))).to.deep.equal([3]);
        expect(seqsOf(await store.records.list({ fromSeq: 3, limit: 2 }))).to.deep.equal([3, 4]);
        expect(await store.records.list({ company: "c_1", limit: 0 })).to.deep.equal([]);
        expect(await store.records.list({ company: "c_3", limit: 10 })).to.deep.equal([]);
      });

      it("refuses a second seal.used record with the same receipt id and appends nothing", async function () {
        await store.records.append([draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")]);
        const err = await rejection(store.records.append([draft("c_1"), draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")]));
        expect(err).to.be.instanceOf(StoreConflictError);
        expect(err).to.include({ kind: "records", key: "receipt:R4mZpW4tYbN3x8Kq" });
        expect(await store.records.count()).to.equal(1);
      });
    });
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
