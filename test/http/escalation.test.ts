// Each way a member was found to climb above their role (issue 9, "Authority"), tried as the attacker did:
// every attempt is refused with its code and writes nothing; the legitimate path next to it still works.
import { expect } from "chai";
import { startService, type Reply, type TestService } from "../helpers/service";
import { addPerson, createCompany, documentHash, grantBody, ok, physicalSeal, requestUse, type Person, type TestCompany } from "../helpers/company";
import { decideRequest } from "../../service/domain/requests";
import { giveGrant } from "../../service/domain/grants";
import { DomainError } from "../../service/domain/errors";
import type { DomainContext } from "../../service/domain/context";
import type { ServiceStore as Store, ServiceTx as Tx } from "../../service/schema";
import type { Member } from "../../service/domain/model";
import { logMark, recordsSince as recordsOfSince } from "../helpers/records";

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe("http: escalations of authority", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  beforeEach(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  afterEach(() => svc.stop());

  const call = (who: Person, method: string, route: string, body?: unknown) => svc.call(method, `/api/v1${route}`, { token: who.token, body });
  const give = (by: Person, body: unknown) => call(by, "POST", "/grants", body);

  /** The reply is the refusal `status`/`code`, and no record was written while it was made. */
  async function expectRefusal(reply: () => Promise<Reply>, status: number, code: string): Promise<void> {
    const before = await logMark(svc.store);
    const r = await reply();
    expect([r.status, r.body.error?.code], JSON.stringify(r.body)).to.deep.equal([status, code]);
    expect(await logMark(svc.store), "records written by a refused request").to.equal(before);
  }

  async function keyIdsOf(member: Person): Promise<string[]> {
    return (await ok(call(co.legalRep, "GET", `/members/${member.id}/keys`))).keys.map((k: { id: string }) => k.id);
  }

  async function recordsSince(seq: number) {
    return recordsOfSince(svc.store, co.id, seq);
  }

  describe("keys and the legal representative", () => {
    it("a seal_admin cannot issue a key for the legal representative, nor for any member holding powers", async () => {
      const secondAdmin = await addPerson(svc, co.legalRep, ["seal_admin"], null);
      for (const target of [co.legalRep, secondAdmin, co.deptHead, co.custodian, co.reviewer]) {
        await expectRefusal(() => call(co.admin, "POST", `/members/${target.id}/keys`), 403, "FORBIDDEN");
      }
    });

    it("a seal_admin cannot issue a key for a member who holds a grant, and can for one who holds none", async () => {
      await ok(give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.none])));
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.employee.id}/keys`), 403, "FORBIDDEN");
      expect((await call(co.admin, "POST", `/members/${co.outsider.id}/keys`)).status).to.equal(201);
    });

    it("a seal_admin cannot revoke the legal representative's key; the legal representative and the member themself can", async () => {
      const [repKey] = await keyIdsOf(co.legalRep);
      await expectRefusal(() => call(co.admin, "POST", `/keys/${repKey}/revoke`), 403, "FORBIDDEN");
      const [headKey] = await keyIdsOf(co.deptHead);
      await expectRefusal(() => call(co.admin, "POST", `/keys/${headKey}/revoke`), 403, "FORBIDDEN");
      const fresh = await ok(call(co.deptHead, "POST", `/members/${co.deptHead.id}/keys`));
      expect((await call(co.deptHead, "POST", `/keys/${headKey}/revoke`)).status).to.equal(200);
      expect((await call(co.legalRep, "POST", `/keys/${fresh.id}/revoke`)).status).to.equal(200);
    });

    it("a seal_admin cannot appoint a seal_admin or a legal representative, by adding or by changing roles", async () => {
      await expectRefusal(() => call(co.admin, "POST", "/members", { name: "n", roles: ["seal_admin"], department: null }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", "/members", { name: "n", roles: ["legal_rep"], department: null }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.employee.id}/roles`, { roles: ["seal_admin"] }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.employee.id}/roles`, { roles: ["employee", "legal_rep"] }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.admin.id}/roles`, { roles: ["seal_admin", "legal_rep"] }), 403, "FORBIDDEN");
    });

    it("a seal_admin cannot change the roles of a legal representative or another seal_admin, nor their own", async () => {
      const secondAdmin = await addPerson(svc, co.legalRep, ["seal_admin"], null);
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.legalRep.id}/roles`, { roles: ["legal_rep", "dept_head"], department: "sales" }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${secondAdmin.id}/roles`, { roles: ["employee"] }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.admin.id}/roles`, { roles: ["seal_admin", "dept_head"], department: "sales" }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${secondAdmin.id}/leave`), 403, "FORBIDDEN");
      expect((await call(co.admin, "POST", `/members/${co.employee.id}/roles`, { roles: ["auditor"], department: "finance" })).status).to.equal(200);
    });

    it("a seal_admin cannot confer approval or custody roles: it would hold the first keys of a custodian and a reviewer it made", async () => {
      await expectRefusal(() => call(co.admin, "POST", "/members", { name: "n", roles: ["custodian"], department: "sales" }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", "/members", { name: "n", roles: ["employee", "dept_head"], department: "sales" }), 403, "FORBIDDEN");
      const made = await addPerson(svc, co.admin, ["employee"]);
      await expectRefusal(() => call(co.admin, "POST", `/members/${made.id}/roles`, { roles: ["reviewer"], department: "sales" }), 403, "FORBIDDEN");
      await expectRefusal(() => call(co.admin, "POST", `/members/${co.custodian.id}/roles`, { roles: ["employee"], department: "sales" }), 403, "FORBIDDEN");
      expect((await call(co.legalRep, "POST", `/members/${made.id}/roles`, { roles: ["reviewer"], department: "sales" })).status).to.equal(200);
    });

    it("only a current legal representative appoints or removes one; the company keeps at least one", async () => {
      const second = await ok(call(co.legalRep, "POST", "/members", { name: "Li Si", roles: ["legal_rep"], department: null }));
      const li = { id: second.member.id as string, token: second.apiKey.secret as string };
      expect((await call(li, "POST", `/members/${co.legalRep.id}/leave`)).status).to.equal(200);
      await expectRefusal(() => call(li, "POST", `/members/${li.id}/roles`, { roles: ["seal_admin"] }), 409, "LAST_LEGAL_REP");
    });
  });

  describe("keys an admin saw", () => {
    // A seal_admin receives the first key of each employee it adds. Were that key to survive the employee gaining
    // powers, the admin could act as a custodian and a reviewer at once, or use the employee's grants.
    async function employeeAddedByAdmin(): Promise<Person> {
      const r = await ok(call(co.admin, "POST", "/members", { name: "new clerk", roles: ["employee"], department: "sales" }));
      return { id: r.member.id as string, token: r.apiKey.secret as string };
    }

    it("stops working, as evidence, once the member is given a grant", async () => {
      const clerk = await employeeAddedByAdmin();
      expect((await call(clerk, "GET", "/me")).status).to.equal(200);
      await ok(give(co.legalRep, grantBody(clerk.id, co.seal.id, [co.scenarios.none])));
      expect((await call(clerk, "GET", "/me")).status).to.equal(401);
      const revoked = (await recordsOfSince(svc.store, co.id)).filter((r) => r.type === "member.key-revoked" && r.subject === clerk.id);
      expect(revoked.map((r) => r.data.reason)).to.deep.equal(["powers-conferred"]);
    });

    it("stops working once the member is given a custody role; a key from the legal representative then works", async () => {
      const clerk = await employeeAddedByAdmin();
      await ok(call(co.legalRep, "POST", `/members/${clerk.id}/roles`, { roles: ["custodian"], department: "sales" }));
      expect((await call(clerk, "GET", "/me")).status).to.equal(401);
      const fresh = await ok(call(co.legalRep, "POST", `/members/${clerk.id}/keys`));
      expect((await call({ id: clerk.id, token: fresh.secret as string }, "GET", "/me")).status).to.equal(200);
    });

    it("a key the legal representative issued survives the member's grants", async () => {
      await ok(give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.none])));
      expect((await call(co.employee, "GET", "/me")).status).to.equal(200);
    });
  });

  describe("grants", () => {
    /** The department head's own grant: one use, both department-level scenarios, until tomorrow. */
    async function headGrant(extra: Record<string, unknown> = { useLimit: 1 }) {
      return ok(give(co.legalRep, grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead], extra)));
    }

    it("no member grants themself: a department head's self-grant is SELF_GRANT", async () => {
      await headGrant();
      const forever = { validFrom: iso(Date.now()), validTo: iso(Date.now() + 100 * 365 * DAY), useLimit: null };
      await expectRefusal(() => give(co.deptHead, grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none], forever)), 403, "SELF_GRANT");
    });

    it("a delegated grant never exceeds the giver's: window, use limit and scenarios", async () => {
      const parent = await headGrant();
      const inside = { validFrom: parent.validFrom, validTo: parent.validTo, useLimit: 1 };
      const over: Array<[string, Record<string, unknown>, string[]]> = [
        ["unlimited", { ...inside, useLimit: null }, [co.scenarios.none]],
        ["two uses of one", { ...inside, useLimit: 2 }, [co.scenarios.none]],
        ["a hundred years", { ...inside, validTo: iso(Date.now() + 100 * 365 * DAY) }, [co.scenarios.none]],
        ["starting earlier", { ...inside, validFrom: iso(Date.parse(parent.validFrom) - DAY) }, [co.scenarios.none]],
        ["a scenario the giver lacks", inside, [co.scenarios.none, co.scenarios.legalRep]],
      ];
      for (const [what, window, scenarios] of over) {
        await expectRefusal(() => give(co.deptHead, grantBody(co.employee.id, co.seal.id, scenarios, window)), 403, "GRANT_EXCEEDS_GIVER").catch((err: Error) => {
          throw new Error(`${what}: ${err.message}`);
        });
      }
      const child = await ok(give(co.deptHead, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], inside)));
      expect(child.parent).to.equal(parent.id);
      const given = await recordsOfSince(svc.store, co.id);
      expect(given.filter((r) => r.type === "grant.given" && r.subject === child.id).map((r) => r.data.parent)).to.deep.equal([parent.id]);
    });

    it("an unlimited giver may give an unlimited grant; the use limit counts the giver's uses already made", async () => {
      const parent = await headGrant({ useLimit: null });
      const inside = { validFrom: parent.validFrom, validTo: parent.validTo, useLimit: null };
      expect((await give(co.deptHead, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], inside))).status).to.equal(201);
      const limited = await headGrant({ useLimit: 3 });
      await svc.store.grants.update({ ...(await svc.store.grants.get(limited.id))!, uses: 2 });
      await ok(call(co.legalRep, "POST", `/grants/${parent.id}/withdraw`));
      const window = { validFrom: limited.validFrom, validTo: limited.validTo };
      await expectRefusal(() => give(co.deptHead, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { ...window, useLimit: 2 })), 403, "GRANT_EXCEEDS_GIVER");
      expect((await ok(give(co.deptHead, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { ...window, useLimit: 1 })))).parent).to.equal(limited.id);
    });

    it("withdrawing a grant withdraws every grant given under it, recursively, in one step", async () => {
      const parent = await headGrant({ useLimit: 10 });
      const head2 = await addPerson(svc, co.legalRep, ["dept_head"]);
      const window = { validFrom: parent.validFrom, validTo: parent.validTo, useLimit: 5 };
      const child = await ok(give(co.deptHead, grantBody(head2.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead], window)));
      const grandchild = await ok(give(head2, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { ...window, useLimit: 1 })));
      const unrelated = await ok(give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.none])));
      const before = await logMark(svc.store);
      await ok(call(co.legalRep, "POST", `/grants/${parent.id}/withdraw`));
      const written = await recordsSince(before);
      expect(written.map((r) => [r.type, r.subject, r.data.reason])).to.deep.equal([
        ["grant.withdrawn", parent.id, "withdrawn"],
        ["grant.withdrawn", child.id, "parent-withdrawn"],
        ["grant.withdrawn", grandchild.id, "parent-withdrawn"],
      ]);
      for (const [id, withdrawn] of [[child.id, true], [grandchild.id, true], [unrelated.id, false]] as const) {
        expect((await ok(call(co.legalRep, "GET", `/grants/${id}`))).withdrawn, id).to.equal(withdrawn);
      }
    });

    it("a leaving department head's grants take the grants they gave with them", async () => {
      const parent = await headGrant({ useLimit: 10 });
      const child = await ok(give(co.deptHead, grantBody(co.employee.id, co.seal.id, [co.scenarios.none], { validFrom: parent.validFrom, validTo: parent.validTo, useLimit: 1 })));
      const before = await logMark(svc.store);
      await ok(call(co.admin, "POST", `/members/${co.deptHead.id}/leave`));
      expect((await recordsSince(before)).map((r) => [r.type, r.subject, r.data.reason ?? null])).to.deep.equal([
        ["member.left", co.deptHead.id, null],
        ["grant.withdrawn", parent.id, "member-left"],
        ["grant.withdrawn", child.id, "parent-withdrawn"],
      ]);
    });

    it("a department head whose grant was withdrawn can no longer approve", async () => {
      const parent = await headGrant({ useLimit: null });
      await ok(give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead])));
      const request = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
      await ok(call(co.legalRep, "POST", `/grants/${parent.id}/withdraw`));
      await expectRefusal(() => call(co.deptHead, "POST", `/requests/${request}/approve`), 403, "FORBIDDEN");
    });

    it("a sole legal representative may grant themself, and the record says so; with two, the other one grants", async () => {
      const before = await logMark(svc.store);
      const own = await ok(give(co.legalRep, grantBody(co.legalRep.id, co.seal.id, [co.scenarios.none])));
      expect((await recordsSince(before)).map((r) => [r.type, r.subject, r.data.selfGranted])).to.deep.equal([["grant.given", own.id, true]]);
      const li = await addPerson(svc, co.legalRep, ["legal_rep"], null);
      await expectRefusal(() => give(co.legalRep, grantBody(co.legalRep.id, co.seal.id, [co.scenarios.none])), 403, "SELF_GRANT");
      const fromLi = await ok(give(li, grantBody(co.legalRep.id, co.seal.id, [co.scenarios.none])));
      expect(fromLi.parent).to.equal(null);
    });
  });

  describe("records", () => {
    it("members who may not page through the log cannot read it one record or receipt at a time either", async () => {
      // A record of the company's waiting for the sequencer, read by id; and the log so far sequenced, read by seq.
      await call(co.admin, "POST", "/scenarios", { code: "waiting-one", name: "Waiting", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" });
      const { items } = await svc.store.records.page({ company: co.id, type: "scenario.defined" }, { limit: 100 });
      const waiting = items.find(({ record }) => record.seq === null);
      expect(waiting, "a record not yet sequenced").to.not.equal(undefined);
      const routes = ["/records/0", "/records/0/receipt", "/receipts?limit=5", "/records?limit=5", `/records/by-id/${waiting?.id}`];
      for (const who of [co.employee, co.deptHead, co.custodian, co.reviewer]) {
        for (const route of routes) {
          const r = await call(who, "GET", route);
          expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 403, "FORBIDDEN"]);
        }
      }
      for (const who of [co.legalRep, co.admin, co.auditor]) {
        expect((await call(who, "GET", routes[4])).body).to.deep.equal(waiting);
      }
      await logMark(svc.store);
      for (const who of [co.legalRep, co.admin, co.auditor]) {
        for (const route of routes) {
          expect([route, (await call(who, "GET", route)).status]).to.deep.equal([route, 200]);
        }
      }
    });
  });

  describe("self-approval", () => {
    beforeEach(async () => {
      await ok(give(co.legalRep, grantBody(co.legalRep.id, co.seal.id, [co.scenarios.deptHead, co.scenarios.legalRep])));
    });

    it("a sole legal representative approves their own legal_rep-level request, flagged selfApproved in the record", async () => {
      const request = await requestUse(svc, co.legalRep, co.seal.id, co.scenarios.legalRep);
      const before = await logMark(svc.store);
      expect((await ok(call(co.legalRep, "POST", `/requests/${request}/approve`))).status).to.equal("approved");
      expect((await recordsSince(before)).map((r) => [r.type, r.data.selfApproved])).to.deep.equal([["request.approved", true]]);
    });

    it("with two legal representatives, self-approval is SELF_APPROVAL and the other approves, unflagged", async () => {
      const li = await addPerson(svc, co.legalRep, ["legal_rep"], null);
      const request = await requestUse(svc, co.legalRep, co.seal.id, co.scenarios.legalRep);
      await expectRefusal(() => call(co.legalRep, "POST", `/requests/${request}/approve`), 403, "SELF_APPROVAL");
      const before = await logMark(svc.store);
      await ok(call(li, "POST", `/requests/${request}/approve`));
      expect((await recordsSince(before)).map((r) => [r.type, r.data.selfApproved ?? null])).to.deep.equal([["request.approved", null]]);
    });

    it("no one approves their own request below the legal_rep level, not even a sole legal representative", async () => {
      const request = await requestUse(svc, co.legalRep, co.seal.id, co.scenarios.deptHead);
      await expectRefusal(() => call(co.legalRep, "POST", `/requests/${request}/approve`), 403, "SELF_APPROVAL");
    });
  });

  describe("seal usability", () => {
    it("a suspended seal cannot be granted (SEAL_SUSPENDED)", async () => {
      await ok(call(co.admin, "POST", `/seals/${co.seal.id}/suspend`));
      await expectRefusal(() => give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.none])), 409, "SEAL_SUSPENDED");
    });

    it("a request for a destroyed seal is SEAL_DESTROYED, not SEAL_REVOKED", async () => {
      const seal = await physicalSeal(svc, co);
      await ok(give(co.legalRep, grantBody(co.employee.id, seal, [co.scenarios.deptHead])));
      await ok(call(co.admin, "POST", `/seals/${seal}/destroy`));
      const body = { seal, scenario: co.scenarios.deptHead, documentHash: documentHash("x"), title: "t", reason: "r" };
      await expectRefusal(() => call(co.employee, "POST", "/requests", body), 409, "SEAL_DESTROYED");
    });

    it("a request for a seal suspended since is not approved (SEAL_SUSPENDED) and its custody not confirmed", async () => {
      const seal = await physicalSeal(svc, co);
      await ok(give(co.legalRep, grantBody(co.employee.id, seal, [co.scenarios.deptHead])));
      const pending = await requestUse(svc, co.employee, seal, co.scenarios.deptHead);
      const approved = await requestUse(svc, co.employee, seal, co.scenarios.deptHead);
      await ok(call(co.legalRep, "POST", `/requests/${approved}/approve`));
      await ok(call(co.admin, "POST", `/seals/${seal}/suspend`));
      await expectRefusal(() => call(co.legalRep, "POST", `/requests/${pending}/approve`), 409, "SEAL_SUSPENDED");
      await expectRefusal(() => call(co.custodian, "POST", `/requests/${approved}/confirm-custody`), 409, "SEAL_SUSPENDED");
      expect((await call(co.legalRep, "POST", `/requests/${pending}/reject`)).status).to.equal(200);
    });
  });

  describe("a store failure is never a refusal", () => {
    /** The same store, but every grant lookup inside a transaction fails as a broken disk would. */
    function failingGrants(store: Store): Store {
      const broken = (tx: Tx): Tx =>
        new Proxy(tx, {
          get: (target, prop, receiver) =>
            prop === "grants" ? new Proxy(target.grants, { get: (g, p, r) => (p === "list" ? () => Promise.reject(new Error("disk I/O error")) : Reflect.get(g, p, r)) }) : Reflect.get(target, prop, receiver),
        });
      return new Proxy(store, {
        get: (target, prop, receiver) => (prop === "transaction" ? <T>(fn: (tx: Tx) => Promise<T>) => target.transaction((tx) => fn(broken(tx))) : Reflect.get(target, prop, receiver)),
      });
    }

    async function member(id: string): Promise<Member> {
      return (await svc.store.members.get(id))!;
    }

    async function expectStoreError(attempt: Promise<unknown>): Promise<void> {
      const err = await attempt.then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(Error);
      expect(err, "a store failure reported as a domain refusal").to.not.be.instanceOf(DomainError);
      expect((err as Error).message).to.equal("disk I/O error");
    }

    it("approval and delegation by a department head pass the store's error through", async () => {
      await ok(give(co.legalRep, grantBody(co.deptHead.id, co.seal.id, [co.scenarios.deptHead])));
      await ok(give(co.legalRep, grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead])));
      const request = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
      const ctx: DomainContext = { ...svc.ctx, store: failingGrants(svc.store) };
      const head = { company: co.id, member: await member(co.deptHead.id) };
      await expectStoreError(decideRequest(ctx, head, request, "approve"));
      await expectStoreError(giveGrant(ctx, head, { member: co.employee.id, seal: co.seal.id, scenarios: [co.scenarios.deptHead], validFrom: iso(Date.now()), validTo: iso(Date.now() + 3_600_000), useLimit: 1 }));
    });
  });
});
