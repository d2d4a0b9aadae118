// Every role against every action, with department scope for department heads and tenant isolation:
// another company's resource is a 404 on every route that names one.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, documentHash, grantBody, ok, type Person, type TestCompany } from "../helpers/company";
import { generateSm2KeyPair } from "../../service/evidence";

type RoleName = "legalRep" | "admin" | "deptHead" | "employee" | "auditor" | "custodian" | "reviewer";
const ROLES: RoleName[] = ["legalRep", "admin", "deptHead", "employee", "auditor", "custodian", "reviewer"];

interface Action {
  name: string;
  allowed: RoleName[];
  /** Runs the action as `who` against fresh targets prepared by the legal representative. */
  attempt(who: Person): Promise<number>;
}

describe("http: authorization matrix", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    // The department head holds the seal for two scenarios, which is what lets them grant and approve.
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead]) }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead, co.scenarios.legalRep]) }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.outsider.id, co.seal.id, [co.scenarios.deptHead]) }));
  });
  after(() => svc.stop());

  const as = (who: Person, method: string, route: string, body?: unknown) => svc.call(method, route, { token: who.token, body }).then((r) => r.status);
  const lr = () => co.legalRep;
  const newMember = async () => (await ok(svc.call("POST", "/api/v1/members", { token: lr().token, body: { name: "x", roles: ["employee"], department: "sales" } }))).member.id as string;
  const newSeal = async () => (await ok(svc.call("POST", "/api/v1/seals", { token: lr().token, body: { kind: "electronic", type: "official", name: "公章", publicKey: generateSm2KeyPair().publicKey } }))).id as string;
  const newRequest = async (requester: Person, scenario: string) =>
    (await ok(svc.call("POST", "/api/v1/requests", { token: requester.token, body: { seal: co.seal.id, scenario, documentHash: documentHash(String(Math.random())), title: "t", reason: "r" } }))).id as string;

  const actions: Action[] = [
    { name: "add a member", allowed: ["legalRep", "admin"], attempt: (w) => as(w, "POST", "/api/v1/members", { name: "n", roles: ["employee"] }) },
    { name: "change a member's roles", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/members/${await newMember()}/roles`, { roles: ["reviewer"] }) },
    { name: "remove a member", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/members/${await newMember()}/leave`) },
    { name: "issue a key for another member", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/members/${await newMember()}/keys`) },
    { name: "register a seal", allowed: ["legalRep", "admin"], attempt: (w) => as(w, "POST", "/api/v1/seals", { kind: "electronic", type: "finance", name: "财务专用章", publicKey: generateSm2KeyPair().publicKey }) },
    { name: "suspend a seal", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/seals/${await newSeal()}/suspend`) },
    { name: "revoke a seal", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/seals/${await newSeal()}/revoke`) },
    { name: "replace a seal", allowed: ["legalRep", "admin"], attempt: async (w) => as(w, "POST", `/api/v1/seals/${await newSeal()}/replace`, { kind: "electronic", type: "official", name: "公章", publicKey: generateSm2KeyPair().publicKey }) },
    { name: "define a scenario", allowed: ["legalRep", "admin"], attempt: (w) => as(w, "POST", "/api/v1/scenarios", { code: `c${Math.random().toString(36).slice(2, 8)}`, name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" }) },
    { name: "give a grant within the department", allowed: ["legalRep", "deptHead"], attempt: (w) => as(w, "POST", "/api/v1/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.none])) },
    {
      name: "withdraw a grant given by the legal representative",
      allowed: ["legalRep"],
      attempt: async (w) => as(w, "POST", `/api/v1/grants/${(await ok(svc.call("POST", "/api/v1/grants", { token: lr().token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }))).id}/withdraw`),
    },
    { name: "approve a department-level request", allowed: ["legalRep", "deptHead"], attempt: async (w) => as(w, "POST", `/api/v1/requests/${await newRequest(co.employee, co.scenarios.deptHead)}/approve`) },
    { name: "reject a department-level request", allowed: ["legalRep", "deptHead"], attempt: async (w) => as(w, "POST", `/api/v1/requests/${await newRequest(co.employee, co.scenarios.deptHead)}/reject`) },
    { name: "approve a legal-rep-level request", allowed: ["legalRep"], attempt: async (w) => as(w, "POST", `/api/v1/requests/${await newRequest(co.employee, co.scenarios.legalRep)}/approve`) },
    { name: "page through the evidence log", allowed: ["legalRep", "admin", "auditor"], attempt: (w) => as(w, "GET", "/api/v1/records?limit=5") },
    { name: "read one record by seq", allowed: ROLES, attempt: (w) => as(w, "GET", "/api/v1/records/0") },
    { name: "list members, seals, scenarios", allowed: ROLES, attempt: async (w) => Math.max(await as(w, "GET", "/api/v1/members"), await as(w, "GET", "/api/v1/seals"), await as(w, "GET", "/api/v1/scenarios")) },
    { name: "read the company", allowed: ROLES, attempt: (w) => as(w, "GET", "/api/v1/company") },
  ];

  for (const action of actions) {
    it(action.name, async () => {
      const got: Record<string, number> = {};
      for (const role of ROLES) got[role] = await action.attempt(co[role]);
      const expected = Object.fromEntries(ROLES.map((r) => [r, action.allowed.includes(r) ? "allowed" : "refused"]));
      const observed = Object.fromEntries(ROLES.map((r) => [r, got[r] < 300 ? "allowed" : got[r] === 403 ? "refused" : `status ${got[r]}`]));
      expect(observed).to.deep.equal(expected);
    });
  }

  describe("department scope", () => {
    it("a department head cannot grant to a member of another department", async () => {
      const r = await svc.call("POST", "/api/v1/grants", { token: co.deptHead.token, body: grantBody(co.outsider.id, co.seal.id, [co.scenarios.none]) });
      expect(r.status).to.equal(403);
      expect(r.body.error.code).to.equal("FORBIDDEN");
    });
    it("a department head cannot grant a scenario they do not hold", async () => {
      expect(await as(co.deptHead, "POST", "/api/v1/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.legalRep]))).to.equal(403);
    });
    it("a department head cannot approve a request from another department", async () => {
      expect(await as(co.deptHead, "POST", `/api/v1/requests/${await newRequest(co.outsider, co.scenarios.deptHead)}/approve`)).to.equal(403);
    });
    it("a department head cannot approve their own request", async () => {
      const r = await svc.call("POST", `/api/v1/requests/${await newRequest(co.deptHead, co.scenarios.deptHead)}/approve`, { token: co.deptHead.token });
      expect(r.body.error.code).to.equal("SELF_APPROVAL");
    });
  });

  describe("tenant isolation", () => {
    let other: TestCompany;
    let requestId: string;
    let grantId: string;
    before(async () => {
      other = await createCompany(svc);
      requestId = await newRequest(co.employee, co.scenarios.deptHead);
      grantId = (await ok(svc.call("GET", "/api/v1/grants", { token: lr().token }))).grants[0].id;
    });

    it("every route naming another company's resource answers 404 and changes nothing", async () => {
      const before = await svc.store.records.count();
      const routes: Array<[string, string, unknown?]> = [
        ["GET", `/api/v1/members/${co.employee.id}`],
        ["POST", `/api/v1/members/${co.employee.id}/roles`, { roles: ["employee"] }],
        ["POST", `/api/v1/members/${co.employee.id}/leave`],
        ["GET", `/api/v1/members/${co.employee.id}/keys`],
        ["POST", `/api/v1/members/${co.employee.id}/keys`],
        ["GET", `/api/v1/seals/${co.seal.id}`],
        ...(["suspend", "resume", "revoke", "destroy"].map((t) => ["POST", `/api/v1/seals/${co.seal.id}/${t}`]) as Array<[string, string]>),
        ["POST", `/api/v1/seals/${co.seal.id}/replace`, { kind: "electronic", type: "official", name: "x", publicKey: generateSm2KeyPair().publicKey }],
        ["GET", `/api/v1/scenarios/${co.scenarios.none}`],
        ["GET", `/api/v1/grants/${grantId}`],
        ["POST", `/api/v1/grants/${grantId}/withdraw`],
        ["GET", `/api/v1/requests/${requestId}`],
        ...(["approve", "reject", "confirm-custody"].map((t) => ["POST", `/api/v1/requests/${requestId}/${t}`]) as Array<[string, string]>),
        ["GET", "/api/v1/records/0"],
        ["POST", "/api/v1/usages/reservations", { seal: co.seal.id }],
        ["POST", "/api/v1/grants", grantBody(other.employee.id, co.seal.id, [co.scenarios.none])],
        ["POST", "/api/v1/requests", { seal: co.seal.id, scenario: co.scenarios.none, documentHash: documentHash("x"), title: "t", reason: "r" }],
      ];
      for (const [method, route, body] of routes) {
        const r = await svc.call(method, route, { token: other.legalRep.token, body });
        expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 404, "NOT_FOUND"]);
      }
      expect(await svc.store.records.count()).to.equal(before);
    });

    it("lists show only the caller's company", async () => {
      for (const [route, field] of [["/api/v1/members", "members"], ["/api/v1/seals", "seals"], ["/api/v1/scenarios", "scenarios"], ["/api/v1/grants", "grants"], ["/api/v1/requests", "requests"], ["/api/v1/records?limit=1000", "records"]]) {
        const list = (await ok(svc.call("GET", route, { token: other.legalRep.token })))[field] as Array<{ company: string }>;
        expect(list.length, route).to.be.greaterThan(field === "grants" || field === "requests" ? -1 : 0);
        expect(list.every((item) => item.company === other.id), route).to.equal(true);
      }
    });
  });
});
