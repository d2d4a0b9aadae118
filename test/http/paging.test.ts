// Paged lists: every list route takes ?after=<cursor>&limit=<n> and answers its items with `next`; following
// `next` from the first page to the last visits every visible item once, and no page but the last comes out short,
// also where visibility narrows the list (requests, and grants: those one holds or gave).
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { addPerson, createCompany, grantBody, ok, requestUse, type Person, type TestCompany } from "../helpers/company";

describe("http: paged lists", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  /** Every page of `route` at `limit`, first to last: the ids on each page, checked for shape on the way. */
  async function pages(who: Person, route: string, field: string, limit: number): Promise<string[][]> {
    const seen: string[][] = [];
    let after: string | null = null;
    do {
      const query: string = `limit=${limit}${after === null ? "" : `&after=${encodeURIComponent(after)}`}`;
      const page = await ok(svc.call("GET", `/api/v1${route}?${query}`, { token: who.token }));
      expect(Object.keys(page)).to.have.members([field, "next"]);
      seen.push((page[field] as Array<{ id: string }>).map((item) => item.id));
      after = page.next;
      expect(seen.length, "pages").to.be.lessThan(100);
    } while (after !== null);
    return seen;
  }

  async function all(who: Person, route: string, field: string): Promise<string[]> {
    const page = await ok(svc.call("GET", `/api/v1${route}?limit=1000`, { token: who.token }));
    expect(page.next).to.equal(null);
    return (page[field] as Array<{ id: string }>).map((item) => item.id);
  }

  function expectPaged(seen: string[][], everything: string[], limit: number): void {
    expect(seen.flat()).to.deep.equal(everything);
    for (const page of seen.slice(0, -1)) expect(page.length, "a page before the last").to.equal(limit);
    expect(seen[seen.length - 1].length).to.be.at.most(limit);
  }

  it("members, seals, scenarios and keys page in creation order, every item once", async () => {
    for (let i = 0; i < 3; i++) await addPerson(svc, co.legalRep, ["employee"]);
    for (const [route, field] of [["/members", "members"], ["/seals", "seals"], ["/scenarios", "scenarios"], [`/members/${co.legalRep.id}/keys`, "keys"]]) {
      const everything = await all(co.legalRep, route, field);
      for (const limit of [1, 2, 5]) expectPaged(await pages(co.legalRep, route, field, limit), everything, limit);
    }
    expect((await all(co.legalRep, "/members", "members")).length).to.equal(11);
  });

  it("a department head pages through the grants they hold and those they gave, and no other", async () => {
    const week = { validFrom: new Date(Date.now() - 60_000).toISOString(), validTo: new Date(Date.now() + 7 * 86_400_000).toISOString() };
    const held: string[] = [];
    const given: string[] = [];
    const others: string[] = [];
    // Interleaved: grants to the department head, by them, and between others, so each side's pages cross the other's.
    for (let i = 0; i < 4; i++) {
      held.push((await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead], week) }))).id);
      others.push((await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.custodian.id, co.seal.id, [co.scenarios.none]) }))).id);
      given.push((await ok(svc.call("POST", "/api/v1/grants", { token: co.deptHead.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }))).id);
      given.push((await ok(svc.call("POST", "/api/v1/grants", { token: co.deptHead.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead]) }))).id);
    }
    const visible = await all(co.deptHead, "/grants", "grants");
    expect(visible).to.have.members([...held, ...given]);
    expect(visible).to.not.include.members(others.slice(0, 1));
    for (const limit of [1, 2, 3, 5, 7]) {
      const seen = await pages(co.deptHead, "/grants", "grants", limit);
      expect(seen.flat()).to.have.members(visible);
      expect(new Set(seen.flat()).size).to.equal(visible.length);
      for (const page of seen.slice(0, -1)) expect(page.length, `a page before the last, limit ${limit}`).to.equal(limit);
    }
    // The employee holds grants and gave none: their pages are theirs alone.
    const employees = await all(co.employee, "/grants", "grants");
    expect(employees).to.include.members(given);
    expectPaged(await pages(co.employee, "/grants", "grants", 3), employees, 3);
  });

  it("a member who may read only their own requests pages through those alone", async () => {
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.outsider.id, co.seal.id, [co.scenarios.deptHead]) }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead]) }));
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      await requestUse(svc, co.outsider, co.seal.id, co.scenarios.deptHead);
      mine.push(await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead));
    }
    expectPaged(await pages(co.employee, "/requests", "requests", 2), mine, 2);
    expect((await all(co.legalRep, "/requests", "requests")).length).to.equal(10);
  });

  it("refuses a limit beyond 1000 or below 1, and a cursor it did not hand out", async () => {
    for (const query of ["limit=1001", "limit=0", "limit=two"]) {
      const r = await svc.call("GET", `/api/v1/members?${query}`, { token: co.legalRep.token });
      expect([r.status, r.body.error.code], query).to.deep.equal([400, "VALIDATION_FAILED"]);
    }
    for (const route of ["/members", "/grants"]) {
      const r = await svc.call("GET", `/api/v1${route}?after=bm90IGEgY3Vyc29y`, { token: co.employee.token });
      expect([r.status, r.body.error.code], route).to.deep.equal([400, "CURSOR_INVALID"]);
    }
    const first = await ok(svc.call("GET", "/api/v1/members", { token: co.legalRep.token }));
    expect(first.members.length).to.equal(11);
    expect(first.next).to.equal(null);
  });
});
