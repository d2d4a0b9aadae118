// Authentication is served from a cache on SQLite (domain/api-keys.ts): every change to a key or a member must be
// seen by the very next request, whichever way it was made.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { addPerson, createCompany, grantBody, ok, type Person, type TestCompany } from "../helpers/company";

describe("http: authentication after key and member changes", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  beforeEach(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  afterEach(() => svc.stop());

  const call = (who: Person, method: string, route: string, body?: unknown) => svc.call(method, `/api/v1${route}`, { token: who.token, body });
  /** Authenticates twice, so that the second answer may come from the cache. */
  async function meTwice(who: Person) {
    await ok(call(who, "GET", "/me"));
    return ok(call(who, "GET", "/me"));
  }
  async function keyIdOf(member: Person): Promise<string> {
    const { keys } = await ok(call(co.legalRep, "GET", `/members/${member.id}/keys`));
    expect(keys).to.have.length(1);
    return keys[0].id;
  }

  it("refuses a revoked key on the next request", async () => {
    await meTwice(co.admin);
    await ok(call(co.legalRep, "POST", `/keys/${await keyIdOf(co.admin)}/revoke`));
    const r = await call(co.admin, "GET", "/me");
    expect([r.status, r.body.error?.code]).to.deep.equal([401, "UNAUTHENTICATED"]);
  });

  it("refuses the key of a member who left on the next request", async () => {
    const employee = await addPerson(svc, co.legalRep, ["employee"]);
    await meTwice(employee);
    await ok(call(co.legalRep, "POST", `/members/${employee.id}/leave`));
    expect((await call(employee, "GET", "/me")).status).to.equal(401);
  });

  it("applies changed roles from the next request on", async () => {
    expect((await meTwice(co.admin)).roles).to.deep.equal(["seal_admin"]);
    await ok(call(co.legalRep, "POST", `/members/${co.admin.id}/roles`, { roles: ["employee"], department: "sales" }));
    expect((await ok(call(co.admin, "GET", "/me"))).roles).to.deep.equal(["employee"]);
    const r = await call(co.admin, "POST", "/scenarios", { code: "late", name: "late", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" });
    expect(r.status).to.equal(403);
  });

  it("refuses a key left in an admin's hands on the next request once a grant revokes it", async () => {
    const employee = await addPerson(svc, co.admin, ["employee"]);
    await meTwice(employee);
    await ok(call(co.legalRep, "POST", "/grants", grantBody(employee.id, co.seal.id, [co.scenarios.none])));
    expect((await call(employee, "GET", "/me")).status).to.equal(401);
    // And stays refused once the revocation has been seen committed.
    expect((await call(employee, "GET", "/me")).status).to.equal(401);
  });

  it("keeps a revoked key refused and other keys served", async () => {
    await meTwice(co.admin);
    await meTwice(co.employee);
    await ok(call(co.legalRep, "POST", `/keys/${await keyIdOf(co.admin)}/revoke`));
    for (let i = 0; i < 3; i++) {
      expect((await call(co.admin, "GET", "/me")).status).to.equal(401);
      expect((await call(co.employee, "GET", "/me")).status).to.equal(200);
    }
  });
});
