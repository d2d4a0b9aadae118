// The Store contract: what every adapter must do, run by store.test.ts against each adapter unchanged.
import { expect } from "chai";
import { canonicalJson, fromHex, leafHash, recordBytes, recordLeafHash, sm3, utf8, verifyInclusion, type EvidenceRecord } from "../../service/evidence";
import { GuardTakenError, StoreConflictError, StoreCursorError, StoreNotFoundError, type LoggedRecord, type Page, type Store, type StoredBatch, type StoredProof, type Tx } from "../../service/store/port";
import { RESERVATION_KEPT_AFTER_EXPIRY_MS } from "../../service/domain/schema";
import { acceptedCount, anchor, AT, closeBatch, company, draft, expectedProofs, guardOf, idempotencyEntry, member, rejection, reservation, scenario, sequenceAll, sequencedAs } from "./fixtures";
import { calibrated, gadget, GADGET_CALIBRATED, type TestSchema } from "./schema";
import { batchTree } from "../../service/anchoring/batch-tree";
import type { BatchTree, OutboxDraft } from "../../service/store/port";

const CONCURRENT = 50;

export function describeStoreContract(name: string, open: () => Promise<Store<TestSchema>>): void {
  describe(`Store contract: ${name}`, function () {
    let store: Store<TestSchema>;

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

        // An update that names another company moves the document to that company's list.
        const danMoved = { ...dan, company: "c_1" };
        await store.members.update(danMoved);
        expect(await store.members.list("c_2")).to.deep.equal([]);
        expect((await store.members.list("c_1")).map((m) => m.id)).to.deep.equal(["m_ann", "m_bob", "m_cyd", "m_dan"]);
        expect(await store.members.get("m_dan")).to.deep.equal(danMoved);
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
          const [logged] = await tx.records.append([draft("c_1")]);
          // Accepted without a place in the log: the sequencer gives it one later.
          expect(logged.record.seq).to.equal(null);
          expect(await tx.records.count()).to.equal(0);
          expect((await tx.records.waiting()).count).to.equal(1);
          expect(await tx.records.byId(logged.id)).to.deep.equal(logged);
          return "done";
        });
        expect(value).to.equal("done");
        expect((await store.companies.get("c_1"))?.id).to.equal("c_1");
        expect((await store.members.get("m_1"))?.id).to.equal("m_1");
        expect(await acceptedCount(store)).to.equal(1);
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
        expect(await acceptedCount(store)).to.equal(1);
        expect(await store.records.page({ company: "c_1" }, { limit: 10 })).to.deep.equal({ items: [], next: null });
        // The key is free again, and the sequencer numbers only what committed: no hole where the failed records were.
        await store.companies.insert(company("c_9", "91350100M000100Y43"));
        await store.records.append([draft("c_9")]);
        await sequenceAll(store);
        expect((await store.records.list({ limit: 10 })).map((r) => [r.seq, r.company])).to.deep.equal([
          [0, "c_0"],
          [1, "c_9"],
        ]);
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
        expect(await acceptedCount(store)).to.equal(0);
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
          expect(await store.records.waiting()).to.deep.equal({ count: 0, oldestAcceptedAt: null });
          expect(await store.records.page({ company: "c_1" }, { limit: 10 })).to.deep.equal({ items: [], next: null });
        } finally {
          openGate();
          await committing;
        }
        expect((await store.companies.get("c_1"))?.id).to.equal("c_1");
        expect((await store.records.waiting()).count).to.equal(1);
      });

      it("refuses a tx used after its transaction has ended", async function () {
        let leaked: Tx<TestSchema> | undefined;
        await store.transaction(async (tx) => {
          leaked = tx;
        });
        if (leaked === undefined) throw new Error("fn did not run");
        expect(await rejection(leaked.members.insert(member("m_late", "c_1")))).to.be.instanceOf(Error);
        expect(await rejection(leaked.records.append([draft("c_1")]))).to.be.instanceOf(Error);
        expect(await store.members.get("m_late")).to.equal(null);
        expect(await acceptedCount(store)).to.equal(0);
      });
    });

    describe("guarded writes", function () {
      const entry = idempotencyEntry("k_1", "c_1", "2026-11-23T08:00:00.000Z");
      const guard = guardOf(entry);

      it("inserts the entry in the first write's transaction, naming what it inserted and appended", async function () {
        const result = await store.guarded(guard, async () => {
          const [record] = await store.transaction(async (tx) => {
            await tx.scenarios.insert(scenario("sc_1", "c_1", "contract"));
            return tx.records.append([draft("c_1", {}, "scenario.defined")]);
          });
          // A second write in the same scope is a write of its own: the entry is written once.
          await store.members.insert(member("m_1", "c_1"));
          return record.id;
        });
        expect(result.written).to.equal(true);
        expect(await store.idempotency.get("k_1")).to.deep.equal({ ...entry, created: [{ kind: "scenarios", id: "sc_1" }, { record: result.value, type: "scenario.defined", subject: "m_subject" }] });
        expect(await store.idempotency.getByKey("key:k_1")).to.not.equal(null);
      });

      it("carries the entry on a single write outside a transaction too", async function () {
        const result = await store.guarded(guard, () => store.reservations.insert(reservation("r_1", "c_1", "2026-11-22T09:00:00.000Z")));
        expect(result.written).to.equal(true);
        expect((await store.idempotency.get("k_1"))?.created).to.deep.equal([{ kind: "reservations", id: "r_1" }]);
      });

      it("writes nothing, entry included, when the write fails; a later write in scope then carries it", async function () {
        const failed = await rejection(
          store.guarded(guard, () =>
            store.transaction(async (tx) => {
              await tx.members.insert(member("m_1", "c_1"));
              throw new Error("refused");
            }),
          ),
        );
        expect((failed as Error).message).to.equal("refused");
        expect([await store.idempotency.get("k_1"), await store.members.get("m_1")]).to.deep.equal([null, null]);
        const readOnly = await store.guarded(guard, async () => store.members.list("c_1"));
        expect(readOnly).to.deep.equal({ value: [], written: false });
        expect(await store.idempotency.get("k_1")).to.equal(null);
      });

      it("refuses a write whose entry exists with GuardTakenError, before anything of it is written", async function () {
        await store.guarded(guard, () => store.members.insert(member("m_1", "c_1")));
        const again = await rejection(store.guarded(guard, () => store.transaction(async (tx) => tx.members.insert(member("m_2", "c_1")))));
        expect(again).to.be.instanceOf(GuardTakenError);
        expect(await store.members.get("m_2")).to.equal(null);
      });

      it(`lets exactly one of ${CONCURRENT} concurrent writes with the same entry commit`, async function () {
        const outcomes = await Promise.allSettled(
          Array.from({ length: CONCURRENT }, (_, i) => store.guarded(guard, () => store.transaction(async (tx) => tx.records.append([draft("c_1", { i })])))),
        );
        expect(outcomes.filter((o) => o.status === "fulfilled").length).to.equal(1);
        for (const o of outcomes) if (o.status === "rejected") expect(o.reason).to.be.instanceOf(GuardTakenError);
        expect(await acceptedCount(store)).to.equal(1);
      });
    });

    describe("expiry", function () {
      it("purges reservations an hour after they expire and idempotency entries when they expire, freeing their keys", async function () {
        const now = new Date("2026-11-22T12:00:00.000Z");
        const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
        const [oldReservation, oldEntry] = [reservation("r_old", "c_1", ago(RESERVATION_KEPT_AFTER_EXPIRY_MS)), idempotencyEntry("k_old", "c_1", now.toISOString())];
        const [lateReservation, liveReservation] = [reservation("r_late", "c_1", ago(RESERVATION_KEPT_AFTER_EXPIRY_MS - 1_000)), reservation("r_live", "c_1", ago(-60_000))];
        const liveEntry = idempotencyEntry("k_live", "c_1", ago(-1));
        for (const r of [oldReservation, lateReservation, liveReservation]) await store.reservations.insert(r);
        for (const e of [oldEntry, liveEntry]) await store.idempotency.insert(e);
        await store.companies.insert(company("c_1", "91350100M000100Y43"));
        expect(await store.purgeExpired(now)).to.equal(2);
        expect([await store.reservations.get("r_old"), await store.idempotency.get("k_old"), await store.idempotency.getByKey("key:k_old")]).to.deep.equal([null, null, null]);
        expect(await store.reservations.list("c_1")).to.deep.equal([lateReservation, liveReservation]);
        expect(await store.idempotency.get("k_live")).to.deep.equal(liveEntry);
        expect(await store.companies.get("c_1")).to.not.equal(null);
        // The key is free again, and an entry updated to expire later is kept.
        await store.idempotency.insert(idempotencyEntry("k_old", "c_1", ago(-60_000)));
        await store.idempotency.update({ ...liveEntry, expiresAt: ago(-120_000) });
        expect(await store.purgeExpired(new Date(now.getTime() + 1))).to.equal(0);
      });
    });

    describe("pages", function () {
      /** Every item of a list, read `limit` at a time through page() from the start, and the number of pages it took. */
      async function readAll<T>(read: (after: string | undefined) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
        const items: T[] = [];
        let after: string | undefined;
        for (let pages = 1; ; pages++) {
          const page = await read(after);
          items.push(...page.items);
          if (page.next === null) return { items, pages };
          after = page.next;
        }
      }

      it("pages through one company's documents in creation order, filtered as list() filters, ending with next null", async function () {
        const members = Array.from({ length: 7 }, (_, i) => member(`m_${i}`, "c_1", { department: i % 2 === 0 ? "sales" : "legal" }));
        for (const m of members) await store.members.insert(m);
        await store.members.insert(member("m_other", "c_2"));
        // An update keeps a document's place.
        await store.members.update({ ...members[1], active: false });
        const all = await store.members.list("c_1");

        expect(await readAll((after) => store.members.page("c_1", {}, { after, limit: 3 }))).to.deep.equal({ items: all, pages: 3 });
        expect(await readAll((after) => store.members.page("c_1", {}, { after, limit: 7 }))).to.deep.equal({ items: all, pages: 1 });
        const sales = await readAll((after) => store.members.page("c_1", { department: "sales" }, { after, limit: 2 }));
        expect(sales.items.map((m) => m.id)).to.deep.equal(["m_0", "m_2", "m_4", "m_6"]);
        expect(await store.members.page("c_3", {}, { limit: 5 })).to.deep.equal({ items: [], next: null });

        // Through an indexed field, with another condition beside it.
        for (let i = 0; i < 5; i++) await store.reservations.insert(reservation(`r_${i}`, "c_1", "2026-11-22T09:00:00.000Z"));
        await store.reservations.insert({ ...reservation("r_mine", "c_1", "2026-11-22T09:00:00.000Z"), member: "m_mine" });
        const held = await readAll((after) => store.reservations.page("c_1", { member: "m_member", seal: "s_seal" }, { after, limit: 2 }));
        expect(held.items.map((r) => r.id)).to.deep.equal(["r_0", "r_1", "r_2", "r_3", "r_4"]);
      });

      it("refuses a cursor it did not hand out with StoreCursorError, and a limit below 1 with RangeError", async function () {
        await store.members.insert(member("m_1", "c_1"));
        for (const cursor of ["", "not a cursor", Buffer.from('["x"]').toString("base64url"), Buffer.from("[1,2,3]").toString("base64url")]) {
          expect(await rejection(store.members.page("c_1", {}, { after: cursor, limit: 1 })), cursor).to.be.instanceOf(StoreCursorError);
          expect(await rejection(store.records.page({ company: "c_1" }, { after: cursor, limit: 1 })), cursor).to.be.instanceOf(StoreCursorError);
        }
        expect(await rejection(store.members.page("c_1", {}, { limit: 0 }))).to.be.instanceOf(RangeError);
        expect(await rejection(store.records.page({ company: "c_1" }, { limit: 0 }))).to.be.instanceOf(RangeError);
      });

      it("pages through a company's records in time order, by type, by subject and by a range of at", async function () {
        const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 8, minute)).toISOString();
        // Accepted out of time order: acceptance order is not time order.
        const minutes = [5, 1, 3, 3, 9, 0, 7, 3];
        const accepted = await store.records.append(minutes.map((m, i) => ({ ...draft(i === 6 ? "c_2" : "c_1", { i }, i % 2 === 0 ? "member.added" : "scenario.defined"), at: at(m), subject: `s_${i % 3}` })));
        // Time order, and acceptance order among records of the same time (a stable sort keeps it).
        const c1 = accepted.filter(({ record }) => record.company === "c_1").sort((a, b) => (a.record.at === b.record.at ? 0 : a.record.at < b.record.at ? -1 : 1));
        const ids = (records: LoggedRecord[]) => records.map((r) => r.id);
        const where = (keep: (r: LoggedRecord["record"]) => boolean) => ids(c1.filter(({ record }) => keep(record)));

        const everything = await readAll((after) => store.records.page({ company: "c_1" }, { after, limit: 2 }));
        expect(everything.items).to.deep.equal(c1);
        const byType = await readAll((after) => store.records.page({ company: "c_1", type: "scenario.defined" }, { after, limit: 1 }));
        expect(ids(byType.items)).to.deep.equal(where((r) => r.type === "scenario.defined"));
        const bySubject = await readAll((after) => store.records.page({ company: "c_1", subject: "s_0" }, { after, limit: 2 }));
        expect(ids(bySubject.items)).to.deep.equal(where((r) => r.subject === "s_0"));
        const inRange = await readAll((after) => store.records.page({ company: "c_1", from: at(3), to: at(7) }, { after, limit: 2 }));
        expect(ids(inRange.items)).to.deep.equal(where((r) => r.at >= at(3) && r.at < at(7)));
        const narrow = await store.records.page({ company: "c_1", type: "member.added", subject: "s_0", from: at(1) }, { limit: 10 });
        expect(ids(narrow.items)).to.deep.equal(where((r) => r.type === "member.added" && r.subject === "s_0" && r.at >= at(1)));
        expect(await store.records.page({ company: "c_3" }, { limit: 10 })).to.deep.equal({ items: [], next: null });

        // Sequencing gives them their seq and changes nothing else: the same records, in the same order, with a cursor
        // handed out before it still good.
        const firstPage = await store.records.page({ company: "c_1" }, { limit: 3 });
        await sequenceAll(store);
        const sequenced = await readAll((after) => store.records.page({ company: "c_1" }, { after, limit: 2 }));
        expect(ids(sequenced.items)).to.deep.equal(ids(c1));
        // c_1's records in seq order are its chain: cseq 0, 1, 2, … and each prev the leaf of the one before.
        const bySeq = [...sequenced.items].sort((a, b) => (a.record.seq as number) - (b.record.seq as number));
        const chained = new Map(bySeq.map(({ id }, k) => [id, k]));
        const expected = sequencedAs(bySeq.map(({ id }) => c1.find((item) => item.id === id)!.record));
        for (const { id, record } of sequenced.items) expect(record).to.deep.equal({ ...expected[chained.get(id)!], seq: record.seq }).and.to.have.property("seq").that.is.a("number");
        const rest = await readAll((after) => store.records.page({ company: "c_1" }, { after: after ?? (firstPage.next as string), limit: 2 }));
        expect(ids(rest.items)).to.deep.equal(ids(c1).slice(3));
      });
    });

    describe("a kind and a record type the store code has never heard of (test/store/schema.ts)", function () {
      it("keeps gadgets with their unique serial, finds them by indexed owner a page at a time, and purges retired ones", async function () {
        const [a, b, c] = [gadget("g_a", "c_1", { owner: "m_1", tags: ["x"] }), gadget("g_b", "c_1", { owner: "m_2" }), gadget("g_c", "c_1", { owner: "m_1", retireAt: "2026-11-22T08:00:00.000Z" })];
        for (const g of [a, b, c]) await store.gadgets.insert(g);
        expect(await store.gadgets.get("g_a")).to.deep.equal(a);
        expect(await store.gadgets.getByKey("serial:SN-g_b")).to.deep.equal(b);
        expect(await store.gadgets.list("c_1", { owner: "m_1" })).to.deep.equal([a, c]);
        const first = await store.gadgets.page("c_1", { owner: "m_1" }, { limit: 1 });
        expect(first.items).to.deep.equal([a]);
        expect(await store.gadgets.page("c_1", { owner: "m_1" }, { after: first.next ?? undefined, limit: 1 })).to.deep.equal({ items: [c], next: null });

        const taken = await rejection(store.gadgets.insert(gadget("g_d", "c_1", { serial: "SN-g_a" })));
        expect(taken).to.be.instanceOf(StoreConflictError);
        expect(taken).to.include({ kind: "gadgets", key: "serial:SN-g_a" });
        expect(await store.gadgets.get("g_d")).to.equal(null);
        const missing = await rejection(store.gadgets.update(gadget("g_none", "c_1")));
        expect(missing).to.be.instanceOf(StoreNotFoundError);
        expect(missing).to.include({ kind: "gadgets", id: "g_none" });

        // Retired a minute (the kind's delay) before now: purged; no retireAt: kept. Its serial is then free.
        expect(await store.purgeExpired(new Date("2026-11-22T08:01:00.000Z"))).to.equal(1);
        expect((await store.gadgets.list("c_1")).map((g) => g.id)).to.deep.equal(["g_a", "g_b"]);
        await store.gadgets.insert(gadget("g_c2", "c_1", { serial: "SN-g_c" }));
      });

      it("appends a record type evidence/ has no spec for, finds it by type and subject, and gives it no receipt id", async function () {
        const [record] = await store.transaction(async (tx) => {
          await tx.gadgets.insert(gadget("g_a", "c_1"));
          return tx.records.append([calibrated("c_1", "g_a", "2026-11-22T08:00:00.000Z", { receipt: "R4mZpW4tYbN3x8Kq", offset: 0.25 })]);
        });
        expect(record.record).to.deep.include({ seq: null, type: GADGET_CALIBRATED, subject: "g_a", data: { receipt: "R4mZpW4tYbN3x8Kq", offset: 0.25 } });
        expect(await store.records.page({ company: "c_1", type: GADGET_CALIBRATED }, { limit: 5 })).to.deep.equal({ items: [record], next: null });
        expect(await store.records.page({ company: "c_1", subject: "g_a" }, { limit: 5 })).to.deep.equal({ items: [record], next: null });
        expect(await store.records.getByReceipt("R4mZpW4tYbN3x8Kq")).to.equal(null);
        // Not a receipt id: another record may carry the same data.receipt.
        await store.records.append([calibrated("c_1", "g_a", "2026-11-22T08:00:01.000Z", { receipt: "R4mZpW4tYbN3x8Kq" })]);
        await sequenceAll(store);
        expect(await store.records.get(0)).to.deep.equal(sequencedAs([record.record])[0]);
        expect(await store.records.count()).to.equal(2);
      });
    });

    describe("records", function () {
      it(`accepts ${CONCURRENT} concurrent transactions of one record each, which the sequencer numbers 0..${CONCURRENT - 1} once each`, async function () {
        const ids = await Promise.all(range(CONCURRENT).map((n) => store.transaction(async (tx) => (await tx.records.append([draft("c_1", { n })]))[0].id)));
        expect(new Set(ids).size).to.equal(CONCURRENT);
        const waiting = await store.records.waiting();
        expect(waiting.count).to.equal(CONCURRENT);
        expect(Date.parse(waiting.oldestAcceptedAt ?? "")).to.be.closeTo(Date.now(), 60_000);
        expect(await store.records.count()).to.equal(0);

        await sequenceAll(store, 16);
        expect(await store.records.waiting()).to.deep.equal({ count: 0, oldestAcceptedAt: null });
        expect(await store.records.count()).to.equal(CONCURRENT);
        const stored = await store.records.list({ limit: 1000 });
        expect(stored.map((r) => r.seq)).to.deep.equal(range(CONCURRENT));
        expect(stored.map((r) => Number(r.data.n)).sort((a, b) => a - b)).to.deep.equal(range(CONCURRENT));
        for (const [n, id] of ids.entries()) {
          const { record } = (await store.records.byId(id)) as LoggedRecord;
          expect(record.data.n).to.equal(n);
          expect(record.seq === null ? null : (await store.records.get(record.seq))?.data.n).to.equal(n);
        }
        expect((await store.batches.last())?.firstSeq).to.equal(48);
      });

      it("sequences only what committed: no hole where concurrent transactions failed between ones that succeeded", async function () {
        const fails = (n: number): boolean => n % 3 === 1;
        const outcomes = await Promise.allSettled(
          Array.from({ length: 60 }, (_, n) =>
            store.transaction(async (tx) => {
              await tx.members.insert(member(`m_${n}`, "c_1"));
              const [logged] = await tx.records.append([draft("c_1", { n })]);
              if (fails(n)) throw new Error(`fail ${n}`);
              return logged.id;
            }),
          ),
        );
        outcomes.forEach((outcome, n) => {
          expect(outcome.status).to.equal(fails(n) ? "rejected" : "fulfilled");
          if (outcome.status === "rejected") expect((outcome.reason as Error).message).to.equal(`fail ${n}`);
        });
        expect((await store.records.waiting()).count).to.equal(40);
        await sequenceAll(store, 7);
        const stored = await store.records.list({ limit: 1000 });
        expect(stored.map((r) => r.seq)).to.deep.equal(range(40));
        expect(stored.filter((r) => fails(Number(r.data.n)))).to.deep.equal([]);
        expect(await store.members.list("c_1")).to.have.length(40);
      });

      it("keeps records unchanged but for their seq from acceptance on, by id, by seq, by receipt id and by company from a seq", async function () {
        const appended: LoggedRecord[] = [];
        await store.transaction(async (tx) => {
          appended.push(...(await tx.records.append([draft("c_1", { note: "印章 ✓ \u2028", nested: { list: [1, 2.5, null, true] } }), draft("c_2")])));
          appended.push(...(await tx.records.append([draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")])));
        });
        appended.push(...(await store.records.append([draft("c_2"), draft("c_1", { receipt: "QnotAUsage" }, "document.linked"), draft("c_1")])));
        expect(appended[0].record).to.deep.include({ v: 2, seq: null, cseq: null, prev: null, type: "member.added", company: "c_1" });
        for (const logged of appended) expect(await store.records.byId(logged.id)).to.deep.equal(logged);
        expect(await store.records.getByReceipt("R4mZpW4tYbN3x8Kq")).to.deep.equal(appended[2]);
        expect(await store.records.list({ limit: 10 })).to.deep.equal([]);
        expect(await store.records.byId("rec_none")).to.equal(null);

        // One process, one transaction after another: acceptance order, and so seq order, is the order of the calls.
        await sequenceAll(store, 4);
        const expected = sequencedAs(appended.map(({ record }) => record));
        for (const [seq, { id }] of appended.entries()) {
          const stored = (await store.records.get(seq)) as EvidenceRecord;
          expect(stored).to.deep.equal(expected[seq]);
          expect(await store.records.byId(id)).to.deep.equal({ id, record: stored });
          expect(Buffer.from(utf8((await store.batches.recordTexts(seq, 1))[0])).equals(Buffer.from(recordBytes(stored)))).to.equal(true);
        }
        expect(await store.records.get(6)).to.equal(null);

        expect((await store.records.getByReceipt("R4mZpW4tYbN3x8Kq"))?.record.seq).to.equal(2);
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
        expect(await acceptedCount(store)).to.equal(1);
        // Sequenced, the receipt id stays taken.
        await sequenceAll(store);
        expect(await rejection(store.records.append([draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq" }, "seal.used")]))).to.include({ kind: "records", key: "receipt:R4mZpW4tYbN3x8Kq" });
      });
    });

    describe("batches", function () {
      /** Accepts `n` records in one transaction; the k-th record accepted carries data.n = k. */
      async function appendRecords(n: number): Promise<void> {
        const start = await acceptedCount(store);
        await store.records.append(range(n).map((k) => draft("c_1", { n: start + k })));
      }

      /** Nothing of a refused batch is visible: the log ends where it did and none of its records has a proof. */
      async function expectLogEndsAfter(last: StoredBatch | null, unbatched: number[]): Promise<void> {
        expect(await store.batches.last()).to.deep.equal(last);
        expect(await store.batches.get(last === null ? 0 : last.id + 1)).to.equal(null);
        for (const seq of unbatched) {
          expect(await store.batches.forSeq(seq), `forSeq(${seq})`).to.equal(null);
          expect(await store.batches.proof(seq), `proof(${seq})`).to.equal(null);
        }
      }

      it("chains each company's records across batches: cseq from 0 without a gap, prev the leaf of the company's last record", async function () {
        const accepted: LoggedRecord[] = [];
        for (let k = 0; k < 9; k++) accepted.push(...(await store.records.append([draft(k % 3 === 0 ? "c_2" : "c_1", { k })])));
        // Batches of 2: a company's next record often lands in a later batch than its previous one.
        await sequenceAll(store, 2);
        const expected = sequencedAs(accepted.map(({ record }) => record));
        expect(await store.records.list({ limit: 20 })).to.deep.equal(expected);
        const chainOf = (company: string): Array<[number, string]> => expected.filter((r) => r.company === company).map((r) => (r.v === 2 ? [r.cseq, r.prev] : [-1, ""]));
        expect(chainOf("c_1").map(([cseq]) => cseq)).to.deep.equal([0, 1, 2, 3, 4, 5]);
        expect(chainOf("c_2")[0]).to.deep.equal([0, "0".repeat(64)]);
        // The leaf each prev names is the one the batch proof of the company's previous record holds.
        const c2 = expected.filter((r) => r.company === "c_2");
        expect((c2[2] as { prev: string }).prev).to.equal((await store.batches.proof(c2[1].seq))?.leaf);
        for (const [seq, record] of expected.entries()) expect(await store.records.byId(accepted[seq].id)).to.deep.equal({ id: accepted[seq].id, record });
      });

      it("closes batches and finds each by id, last, any of its seqs and firstUnanchored, with proofs that verify", async function () {
        await appendRecords(8);
        expect(await store.batches.last()).to.equal(null);
        expect(await store.batches.forSeq(0)).to.equal(null);
        expect(await store.batches.firstUnanchored()).to.equal(null);

        const first = await closeBatch(store, 0, 0, 3);
        const second = await closeBatch(store, 1, 3, 4);
        expect(await store.batches.get(0)).to.deep.equal(first.batch);
        expect(await store.batches.get(1)).to.deep.equal(second.batch);
        expect(await store.batches.get(2)).to.equal(null);
        expect(await store.batches.last()).to.deep.equal(second.batch);
        expect(await store.batches.firstUnanchored()).to.deep.equal(first.batch);

        const expectedBatch = [0, 0, 0, 1, 1, 1, 1];
        for (const [seq, id] of expectedBatch.entries()) expect((await store.batches.forSeq(seq))?.id, `forSeq(${seq})`).to.equal(id);
        // Record 7 exists but is not batched yet.
        expect(await store.batches.forSeq(7)).to.equal(null);
        expect(await store.batches.forSeq(8)).to.equal(null);
        expect(await store.batches.proof(7)).to.equal(null);

        for (const { batch, proofs } of [first, second]) {
          for (const [i, expected] of proofs.entries()) {
            const seq = batch.firstSeq + i;
            const stored = await store.batches.proof(seq);
            expect(stored, `proof(${seq})`).to.deep.equal(expected);
            const record = await store.records.get(seq);
            const { leaf, path } = stored as StoredProof;
            expect(leaf).to.equal(Buffer.from(recordLeafHash(record as EvidenceRecord)).toString("hex"));
            expect(verifyInclusion(sm3, i, batch.count, fromHex(leaf), path.map((node) => fromHex(node)), fromHex(batch.root)), `seq ${seq}`).to.equal(true);
          }
        }
      });

      it("keeps a one-record batch's proof as the leaf with an empty path", async function () {
        await appendRecords(1);
        const { proofs } = await closeBatch(store, 0, 0, 1);
        expect(proofs[0].path).to.deep.equal([]);
        expect(await store.batches.proof(0)).to.deep.equal(proofs[0]);
        expect((await store.batches.forSeq(0))?.count).to.equal(1);
      });

      it("sets anchors, and clearAnchors forgets those from an id on while the batches and proofs stay", async function () {
        await appendRecords(6);
        const batches = [await closeBatch(store, 0, 0, 2), await closeBatch(store, 1, 2, 2), await closeBatch(store, 2, 4, 2)];
        const anchors = [anchor("01", 10), anchor("02", 11), anchor("03", 12)];
        await store.batches.setAnchor(0, anchors[0]);
        expect(await store.batches.get(0)).to.deep.equal({ ...batches[0].batch, anchor: anchors[0] });
        expect((await store.batches.forSeq(1))?.anchor).to.deep.equal(anchors[0]);
        expect((await store.batches.firstUnanchored())?.id).to.equal(1);
        await store.batches.setAnchor(1, anchors[1]);
        await store.batches.setAnchor(2, anchors[2]);
        expect(await store.batches.firstUnanchored()).to.equal(null);
        expect(await store.batches.last()).to.deep.equal({ ...batches[2].batch, anchor: anchors[2] });

        await store.batches.clearAnchors(1);
        expect((await store.batches.get(0))?.anchor).to.deep.equal(anchors[0]);
        expect(await store.batches.get(1)).to.deep.equal(batches[1].batch);
        expect(await store.batches.get(2)).to.deep.equal(batches[2].batch);
        expect(await store.batches.firstUnanchored()).to.deep.equal(batches[1].batch);
        expect(await store.batches.proof(5)).to.deep.equal(batches[2].proofs[1]);

        // Anchored again, as the batcher does after a dev chain lost them.
        const again = anchor("04", 20);
        await store.batches.setAnchor(1, again);
        expect((await store.batches.get(1))?.anchor).to.deep.equal(again);
        expect((await store.batches.firstUnanchored())?.id).to.equal(2);

        await store.batches.clearAnchors(0);
        expect((await store.batches.firstUnanchored())?.id).to.equal(0);
        for (const { batch } of batches) expect(await store.batches.get(batch.id)).to.deep.equal(batch);
      });

      it("fails setAnchor on a batch that does not exist and creates none", async function () {
        expect(await rejection(store.batches.setAnchor(0, anchor("01", 10)))).to.be.instanceOf(Error);
        expect(await store.batches.get(0)).to.equal(null);
      });

      it("numbers waiting records in acceptance order, at most max a batch, and closes nothing when none wait", async function () {
        expect(await store.batches.sequence(10, new Date(AT), batchTree)).to.equal(null);
        await appendRecords(5);
        const { batch: first } = await closeBatch(store, 0, 0, 2);
        expect((await store.records.list({ limit: 10 })).map((r) => r.data.n)).to.deep.equal([0, 1]);
        expect((await store.records.waiting()).count).to.equal(3);
        await appendRecords(2);
        const second = await store.batches.sequence(100, new Date(AT), batchTree);
        expect(second).to.deep.include({ id: 1, firstSeq: 2, count: 5, anchor: null });
        expect((await store.records.list({ limit: 10 })).map((r) => r.data.n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
        expect(await store.batches.sequence(100, new Date(AT), batchTree)).to.equal(null);
        expect(await store.batches.last()).to.deep.equal(second);
        expect(await store.batches.get(0)).to.deep.equal(first);
        expect(await rejection(store.batches.sequence(0, new Date(AT), batchTree))).to.be.instanceOf(RangeError);
      });

      it("refuses a malformed tree with RangeError and numbers nothing", async function () {
        await appendRecords(3);
        const good = batchTree;
        const malformed: Array<[string, BatchTree]> = [
          ["fewer proofs than records", (texts) => ({ ...good(texts), proofs: good(texts).proofs.slice(0, 2) })],
          ["more proofs than records", (texts) => ({ ...good(texts), proofs: [...good(texts).proofs, good(texts).proofs[0]] })],
          ["an empty proof", (texts) => ({ ...good(texts), proofs: [good(texts).proofs[0], new Uint8Array(0), good(texts).proofs[2]] })],
          ["a proof that is not whole 32-byte hashes", (texts) => ({ ...good(texts), proofs: good(texts).proofs.map((p) => p.subarray(1)) })],
          ["a root that is not hex", (texts) => ({ ...good(texts), root: "zz".repeat(32) })],
          ["a tree that throws", () => {
            throw new RangeError("no tree today");
          }],
        ];
        for (const [what, tree] of malformed) {
          expect(await rejection(store.batches.sequence(10, new Date(AT), tree)), what).to.be.instanceOf(RangeError);
          await expectLogEndsAfter(null, [0, 1, 2]);
          expect(await store.records.count(), what).to.equal(0);
          expect((await store.records.waiting()).count, what).to.equal(3);
        }
        const { proofs } = await closeBatch(store, 0, 0, 3);
        expect(await store.batches.proof(2)).to.deep.equal(proofs[2]);
      });

      it("numbers each record once when two sequencers race: batches stay contiguous, no record in two", async function () {
        await appendRecords(9);
        const outcomes = await Promise.allSettled([3, 4, 5].map((max) => store.batches.sequence(max, new Date(AT), batchTree)));
        // Where a store runs them one after another, each takes the next records; where it cannot, a loser is refused.
        for (const o of outcomes) if (o.status === "rejected") expect(o.reason).to.be.instanceOf(StoreConflictError);
        const closed = outcomes.flatMap((o) => (o.status === "fulfilled" && o.value !== null ? [o.value] : [])).sort((a, b) => a.id - b.id);
        expect(closed.length).to.be.at.least(1);
        let next = 0;
        for (const [id, batch] of closed.entries()) {
          expect(batch).to.deep.include({ id, firstSeq: next });
          expect(await store.batches.get(id)).to.deep.equal(batch);
          for (const [i, proof] of (await expectedProofs(store, batch)).entries()) expect(await store.batches.proof(batch.firstSeq + i)).to.deep.equal(proof);
          next += batch.count;
        }
        await sequenceAll(store);
        const all = await store.records.list({ limit: 100 });
        expect(all.map((r) => r.seq)).to.deep.equal(range(9));
        expect(all.map((r) => Number(r.data.n)).sort((a, b) => a - b)).to.deep.equal(range(9));
      });

      it("gives recordTexts byte for byte the canonical JSON of the stored records, non-ASCII included", async function () {
        await store.records.append([
          draft("c_1", { note: "印章 合同专用章 ✓ \u2028\u2029 😀 \"quoted\" back\\slash \u0001 é", big: 1e21, small: 0.1, neg: -5 }),
          draft("c_1", { receipt: "R4mZpW4tYbN3x8Kq", nested: { z: [1, { ü: null }], a: true } }, "seal.used"),
          draft("c_2"),
          // Integer-like keys: JCS sorts "10" before "9", a parsed JS object puts 9 first, so re-serializing shows.
          draft("c_1", { emoji: "🀄️", cjkKey: { 键: "值" }, byNumber: { "10": "ten", "9": "nine", "1": "one" } }),
        ]);
        await sequenceAll(store);
        const texts = await store.batches.recordTexts(0, 4);
        expect(texts).to.have.length(4);
        for (const [seq, text] of texts.entries()) {
          const record = (await store.records.get(seq)) as EvidenceRecord;
          expect(text, `seq ${seq}`).to.equal(canonicalJson(record));
          expect(Buffer.from(utf8(text)).equals(Buffer.from(recordBytes(record))), `bytes of seq ${seq}`).to.equal(true);
          expect(Buffer.from(leafHash(sm3, utf8(text))).equals(Buffer.from(recordLeafHash(record)))).to.equal(true);
        }
        expect(await store.batches.recordTexts(1, 2)).to.deep.equal(texts.slice(1, 3));
        expect(await store.batches.recordTexts(2, 10)).to.deep.equal(texts.slice(2));
        expect(await store.batches.recordTexts(4, 10)).to.deep.equal([]);
        expect(await store.batches.recordTexts(0, 0)).to.deep.equal([]);
      });
    });

    describe("leases", function () {
      const T0 = Date.parse("2026-11-22T08:00:00.000Z");
      const at = (ms: number): Date => new Date(T0 + ms);

      it("gives a lease to one holder until it expires, renews it for that holder, and frees it on release", async function () {
        expect(await store.leases.acquire("batcher", "A", 1000, at(0))).to.equal(true);
        expect(await store.leases.acquire("batcher", "B", 1000, at(500))).to.equal(false);
        // A renews at 500: held until 1500, so B is still refused at 1200.
        expect(await store.leases.acquire("batcher", "A", 1000, at(500))).to.equal(true);
        expect(await store.leases.acquire("batcher", "B", 1000, at(1200))).to.equal(false);
        expect(await store.leases.acquire("batcher", "B", 1000, at(1499))).to.equal(false);
        // Expired at 1500: B takes it, and now A is the one refused.
        expect(await store.leases.acquire("batcher", "B", 1000, at(1500))).to.equal(true);
        expect(await store.leases.acquire("batcher", "A", 1000, at(1600))).to.equal(false);

        // Only the holder can release.
        await store.leases.release("batcher", "A");
        expect(await store.leases.acquire("batcher", "A", 1000, at(1700))).to.equal(false);
        await store.leases.release("batcher", "B");
        expect(await store.leases.acquire("batcher", "A", 1000, at(1700))).to.equal(true);
      });

      it("keeps leases of different names apart", async function () {
        expect(await store.leases.acquire("batcher", "A", 1000, at(0))).to.equal(true);
        expect(await store.leases.acquire("exporter", "B", 1000, at(0))).to.equal(true);
        expect(await store.leases.acquire("exporter", "A", 1000, at(10))).to.equal(false);
        await store.leases.release("exporter", "B");
        expect(await store.leases.acquire("batcher", "B", 1000, at(20))).to.equal(false);
      });

      it(`gives a free lease to exactly one of ${CONCURRENT} concurrent holders`, async function () {
        const won = await Promise.all(range(CONCURRENT).map((n) => store.leases.acquire("batcher", `h_${n}`, 60_000, at(0))));
        expect(won.filter(Boolean)).to.have.length(1);
        const winner = `h_${won.indexOf(true)}`;
        expect(await store.leases.acquire("batcher", winner, 60_000, at(1))).to.equal(true);
        expect(await store.leases.acquire("batcher", "other", 60_000, at(1))).to.equal(false);
      });
    });

    describe("outbox", function () {
      const T0 = Date.parse("2026-11-22T08:00:00.000Z");
      const at = (ms: number): Date => new Date(T0 + ms);
      const command = (target: string, n: number): OutboxDraft => ({ target, kind: "command", payload: { n, body: { "$op": "unlock", "a.b": [1, null] } } });
      const heads = async (ms: number, limit = 100) => (await store.outbox.next(at(ms), limit)).map((e) => [e.target, e.payload.n]);

      it("hands out an entry once its transaction commits, and nothing of a transaction that threw", async function () {
        const id = await store.transaction(async (tx) => {
          await tx.records.append([draft("c_1")]);
          return tx.outbox.add(command("device:d1", 1));
        });
        const thrown = new RangeError("domain says no");
        const err = await rejection(
          store.transaction(async (tx) => {
            await tx.outbox.add(command("device:d2", 1));
            await tx.outbox.add(command("device:d1", 2));
            throw thrown;
          }),
        );
        expect(err).to.equal(thrown);
        expect(await store.outbox.next(at(0), 10)).to.deep.equal([{ id, ...command("device:d1", 1), attempts: 0, lastError: null }]);
      });

      it("does not hand out an entry while its transaction is open", async function () {
        let reachedGate!: () => void;
        const reached = new Promise<void>((resolve) => (reachedGate = resolve));
        let openGate!: () => void;
        const gate = new Promise<void>((resolve) => (openGate = resolve));
        const committing = store.transaction(async (tx) => {
          await tx.outbox.add(command("device:d1", 1));
          reachedGate();
          await gate;
        });
        await reached;
        const probe: { seen: unknown[][] | null } = { seen: null };
        const looking = heads(0).then((found) => (probe.seen = found));
        // The read either waits for the commit or sees nothing; it never sees the open transaction's entry.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const beforeCommit = probe.seen;
        openGate();
        await committing;
        await looking;
        expect(beforeCommit ?? [], "seen before the commit").to.deep.equal([]);
        expect(await heads(0)).to.deep.equal([["device:d1", 1]]);
      });

      it("hands out only the oldest undelivered entry of each target, longest-waiting first, up to the limit", async function () {
        await store.transaction(async (tx) => {
          await tx.outbox.add(command("device:b", 1));
          await tx.outbox.add(command("device:a", 1));
        });
        await store.transaction(async (tx) => {
          await tx.outbox.add(command("device:b", 2));
          await tx.outbox.add(command("device:c", 1));
        });
        expect(await heads(0)).to.deep.equal([["device:b", 1], ["device:a", 1], ["device:c", 1]]);
        expect(await heads(0, 2)).to.deep.equal([["device:b", 1], ["device:a", 1]]);
        expect(await store.outbox.next(at(0), 0)).to.deep.equal([]);
        const [b1] = await store.outbox.next(at(0), 1);
        await store.outbox.markDelivered(b1.id, at(1));
        expect(await heads(1)).to.deep.equal([["device:a", 1], ["device:b", 2], ["device:c", 1]]);
        // Marking again changes nothing.
        await store.outbox.markDelivered(b1.id, at(2));
        expect(await heads(2)).to.deep.equal([["device:a", 1], ["device:b", 2], ["device:c", 1]]);
      });

      it("holds a failed entry, and its target's later entries, until its retry time; other targets go on", async function () {
        const first = await store.outbox.add(command("webhook:w1", 1));
        await store.outbox.add(command("webhook:w1", 2));
        await store.outbox.add(command("webhook:w2", 1));
        await store.outbox.markFailed(first, "HTTP 503", at(1000));
        expect(await heads(999)).to.deep.equal([["webhook:w2", 1]]);
        const [retried] = await store.outbox.next(at(1000), 1);
        expect(retried).to.deep.include({ id: first, attempts: 1, lastError: "HTTP 503" });
        await store.outbox.markFailed(first, "timeout", at(3000));
        expect(await heads(2999)).to.deep.equal([["webhook:w2", 1]]);
        expect((await store.outbox.next(at(3000), 1))[0]).to.deep.include({ id: first, attempts: 2, lastError: "timeout" });
        await store.outbox.markDelivered(first, at(3001));
        expect(await heads(3001)).to.deep.equal([["webhook:w1", 2], ["webhook:w2", 1]]);
      });

      it(`keeps each target's entries in commit order across ${CONCURRENT} concurrent transactions`, async function () {
        // Each transaction accepts a record too: once sequenced, its seq is the transaction's place in acceptance order.
        await Promise.all(
          range(CONCURRENT).map((n) =>
            store.transaction(async (tx) => {
              const [logged] = await tx.records.append([draft(`c_${n}`)]);
              await tx.outbox.add({ target: `device:${n % 3}`, kind: "command", payload: { record: logged.id } });
            }),
          ),
        );
        await sequenceAll(store);
        const seqOf = async (id: string): Promise<number> => ((await store.records.byId(id))?.record.seq ?? NaN);
        const delivered: { [target: string]: number[] } = {};
        for (let round = 0; round <= CONCURRENT; round++) {
          const found = await store.outbox.next(at(0), 100);
          if (found.length === 0) break;
          for (const entry of found) {
            (delivered[entry.target] ??= []).push(await seqOf(entry.payload.record as string));
            await store.outbox.markDelivered(entry.id, at(0));
          }
        }
        expect(Object.values(delivered).flat()).to.have.length(CONCURRENT);
        for (const seqs of Object.values(delivered)) expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
      });

      it("gives every entry its own id, never reused", async function () {
        const a = await store.outbox.add(command("device:d1", 1));
        await store.outbox.markDelivered(a, at(0));
        const b = await store.outbox.add(command("device:d1", 2));
        expect(b).to.not.equal(a);
        expect((await store.outbox.next(at(0), 10)).map((e) => e.id)).to.deep.equal([b]);
      });
    });
  });
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
