// Console sessions acting on the API: the cookie in place of an API key, CSRF refusals, step-up for the acts that need
// it (and its five minutes), revocation that takes effect at once, and company isolation.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { addPerson, createCompany, grantBody, ok, physicalSeal, requestUse, enrolDevice, type TestCompany } from "../helpers/company";
import { logMark, recordsSince } from "../helpers/records";
import { ConsoleClient, signedIn } from "./console-client";

const MINUTE = 60_000;

describe("console auth: sessions, CSRF and step-up", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  let clock: number | null = null;

  before(async () => {
    svc = await startService({ now: () => new Date(clock ?? Date.now()) });
    co = await createCompany(svc);
    const week = { validFrom: new Date(Date.now() - MINUTE).toISOString(), validTo: new Date(Date.now() + 7 * 24 * 60 * MINUTE).toISOString() };
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead], week) }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.deptHead]) }));
  });
  after(() => svc.stop());
  afterEach(() => {
    clock = null;
  });

  const pendingRequest = () => requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);

  it("the cookie stands for the member on every member route; a state change without the CSRF token, or from another origin, is refused", async () => {
    const head = await signedIn(svc.url, co.legalRep, co.deptHead);
    expect((await head.call("GET", "/me")).body.id).to.equal(co.deptHead.id);
    const mark = await logMark(svc.store);
    const body = { seal: co.seal.id, scenario: co.scenarios.none, documentHash: "a".repeat(64), title: "t", reason: "r" };
    const csrf = head.csrfToken!;
    const attempts: Record<string, string>[] = [{ "x-csrf-token": "" }, { "x-csrf-token": "forged" }, { "x-csrf-token": csrf, origin: "https://evil.example" }, { "x-csrf-token": csrf, "sec-fetch-site": "cross-site" }, { "x-csrf-token": csrf, origin: "null" }];
    for (const headers of attempts) {
      head.csrfToken = null;
      const r = await head.call("POST", "/requests", body, headers);
      expect([JSON.stringify(headers), r.status, r.body.error.code]).to.deep.equal([JSON.stringify(headers), 403, "CSRF_REJECTED"]);
    }
    head.csrfToken = csrf;
    expect(await recordsSince(svc.store, co.id, mark)).to.deep.equal([]);
    expect((await head.call("POST", "/requests", body)).status).to.equal(201);
  });

  it("a cross-site form post with the session cookie is refused and changes nothing", async () => {
    const admin = await signedIn(svc.url, co.legalRep, co.admin);
    const mark = await logMark(svc.store);
    for (const contentType of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const res = await fetch(`${svc.url}/api/v1/seals/${co.seal.id}/suspend`, {
        method: "POST", headers: { cookie: admin.cookie!, origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-type": contentType }, body: "a=b",
      });
      const body = (await res.json()) as { error: { code: string } };
      expect([contentType, res.status, body.error.code]).to.deep.equal([contentType, 403, "CSRF_REJECTED"]);
    }
    expect(await recordsSince(svc.store, co.id, mark)).to.deep.equal([]);
    expect((await ok(svc.call("GET", `/api/v1/seals/${co.seal.id}`, { token: co.admin.token }))).status).to.equal("active");
  });

  it("approving needs a step-up younger than five minutes; its record notes it, and an API key's does not", async () => {
    const head = await signedIn(svc.url, co.legalRep, co.deptHead);
    const first = await pendingRequest();
    const mark = await logMark(svc.store);
    const refused = await head.call("POST", `/requests/${first}/approve`);
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, "STEP_UP_REQUIRED"]);
    expect(await recordsSince(svc.store, co.id, mark)).to.deep.equal([]);
    // Rejecting puts no seal to use: no step-up.
    expect((await head.call("POST", `/requests/${await pendingRequest()}/reject`)).status).to.equal(200);

    const stepped = await head.stepUp();
    expect(stepped.status, JSON.stringify(stepped.body)).to.equal(200);
    expect(Date.parse(stepped.body.stepUpUntil) - Date.now()).to.be.within(5 * MINUTE - 5_000, 5 * MINUTE);
    expect((await head.call("GET", "/auth/session")).body.session.stepUpUntil).to.equal(stepped.body.stepUpUntil);
    expect((await head.call("POST", `/requests/${first}/approve`)).status).to.equal(200);

    // Five minutes on, the step-up is asked again.
    const second = await pendingRequest();
    clock = Date.now() + 5 * MINUTE + 1_000;
    const stale = await head.call("POST", `/requests/${second}/approve`);
    expect([stale.status, stale.body.error.code]).to.deep.equal([403, "STEP_UP_REQUIRED"]);
    expect((await head.stepUp()).status).to.equal(200);
    expect((await head.call("POST", `/requests/${second}/approve`)).status).to.equal(200);
    clock = null;

    const third = await pendingRequest();
    await ok(svc.call("POST", `/api/v1/requests/${third}/approve`, { token: co.deptHead.token }));
    const approvals = (await recordsSince(svc.store, co.id, mark)).filter((r) => r.type === "request.approved").map((r) => [r.subject, r.data.stepUp ?? null]);
    expect(approvals).to.deep.equal([[first, true], [second, true], [third, null]]);
  });

  it("a step-up is given only with one of the signed-in member's own passkeys, and its challenge only to that session", async () => {
    const head = await signedIn(svc.url, co.legalRep, co.deptHead);
    const other = await signedIn(svc.url, co.legalRep, co.employee);
    const options = await ok(head.call("POST", "/auth/step-up/options", {}));
    const own = (await svc.store.passkeys.list(co.id, { member: co.deptHead.id })).map((p) => p.credentialId);
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).to.have.members(own).and.include.members(head.authenticator.credentialIds);
    // The employee's authenticator answers the department head's challenge with the employee's passkey.
    const foreign = await head.call("POST", "/auth/step-up", { response: other.authenticator.assert({ challenge: options.challenge }) });
    expect([foreign.status, foreign.body.error.code]).to.deep.equal([403, "PASSKEY_NOT_YOURS"]);
    // A challenge handed to one session does not step up another.
    const mine = await ok(other.call("POST", "/auth/step-up/options", {}));
    const crossed = await head.call("POST", "/auth/step-up", { response: head.authenticator.assert({ challenge: mine.challenge }) });
    expect([crossed.status, crossed.body.error.code]).to.deep.equal([400, "CHALLENGE_INVALID"]);
    expect((await head.call("GET", "/auth/session")).body.session.stepUpUntil).to.equal(null);
  });

  it("changing roles, confirming custody and giving an unlock half are stepped up, and their records say so", async () => {
    const legalRep = await signedIn(svc.url, co.legalRep, co.legalRep);
    const custodian = await signedIn(svc.url, co.legalRep, co.custodian);
    const reviewer = await signedIn(svc.url, co.legalRep, co.reviewer);
    const physical = await physicalSeal(svc, co);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, physical, [co.scenarios.deptHead]) }));
    const request = await requestUse(svc, co.employee, physical, co.scenarios.deptHead);
    await ok(svc.call("POST", `/api/v1/requests/${request}/approve`, { token: co.legalRep.token }));
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const device = (await enrolDevice(svc, co.admin)).id;
    await ok(svc.call("POST", "/api/v1/seals", { token: co.admin.token, body: { kind: "physical", type: "official", name: "公章", device, custodian: co.custodian.id, reviewer: co.reviewer.id } }));
    await ok(svc.call("POST", `/api/v1/devices/${device}/lock`, { token: co.admin.token }));
    const mark = await logMark(svc.store);

    const acts: Array<[ConsoleClient, string, unknown?]> = [
      [legalRep, `/members/${person.id}/roles`, { roles: ["auditor"], department: null }],
      [custodian, `/requests/${request}/confirm-custody`],
      [reviewer, `/devices/${device}/unlock`],
    ];
    for (const [who, route, body] of acts) {
      const r = await who.call("POST", route, body);
      expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 403, "STEP_UP_REQUIRED"]);
    }
    expect(await recordsSince(svc.store, co.id, mark)).to.deep.equal([]);
    for (const [who, route, body] of acts) {
      await ok(who.stepUp());
      expect((await who.call("POST", route, body)).status, route).to.equal(200);
    }
    // The administrator's half through the API: the unlock's record names who stepped up.
    await ok(svc.call("POST", `/api/v1/devices/${device}/unlock`, { token: co.admin.token }));
    const records = (await recordsSince(svc.store, co.id, mark)).map((r) => [r.type, r.data.stepUp ?? null, r.data.stepUpBy ?? null]);
    expect(records).to.deep.include.members([
      ["member.roles-changed", true, null],
      ["request.custody-confirmed", true, null],
      ["device.unlocked", null, [co.reviewer.id]],
    ]);
  });

  it("sessions end at once: signing out, ending one's own other session, an administrator ending a member's, the member leaving", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const phone = await signedIn(svc.url, co.legalRep, person);
    const laptop = new ConsoleClient(svc.url, svc.url, phone.authenticator);
    await ok(laptop.signIn());
    const listed = await ok(phone.call("GET", "/auth/sessions"));
    expect(listed.sessions.map((s: { current: boolean }) => s.current).sort()).to.deep.equal([false, true]);
    const laptopId = listed.sessions.find((s: { current: boolean }) => !s.current).id as string;
    expect((await phone.call("DELETE", `/auth/sessions/${laptopId}`)).status).to.equal(200);
    expect((await laptop.call("GET", "/auth/session")).status).to.equal(401);

    const signedOut = await phone.call("DELETE", "/auth/session");
    expect(signedOut.setCookie).to.match(/^sealproof-session=; Path=\/; HttpOnly; SameSite=Strict; Expires=Thu, 01 Jan 1970/);
    expect(phone.cookie).to.equal(null);

    const again = new ConsoleClient(svc.url, svc.url, phone.authenticator);
    await ok(again.signIn());
    const stolenCookie = again.cookie!;
    const ended = await svc.call("DELETE", `/api/v1/members/${person.id}/sessions`, { token: co.admin.token });
    expect([ended.status, ended.body.ended]).to.deep.equal([200, 1]);
    const r = await fetch(`${svc.url}/api/v1/me`, { headers: { cookie: stolenCookie } });
    expect(r.status).to.equal(401);

    const last = new ConsoleClient(svc.url, svc.url, phone.authenticator);
    await ok(last.signIn());
    await ok(svc.call("POST", `/api/v1/members/${person.id}/leave`, { token: co.legalRep.token }));
    expect((await last.call("GET", "/me")).status).to.equal(401);
    const signIn = await new ConsoleClient(svc.url, svc.url, phone.authenticator).signIn();
    expect([signIn.status, signIn.body.error.code]).to.deep.equal([409, "MEMBER_INACTIVE"]);
  });

  it("a session idle for 12 hours, or older than 7 days, is over", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const browser = await signedIn(svc.url, co.legalRep, person);
    clock = Date.now() + 12 * 60 * MINUTE + 1_000;
    expect((await browser.call("GET", "/auth/session")).status).to.equal(401);
    clock = null;
    const kept = new ConsoleClient(svc.url, svc.url, browser.authenticator);
    await ok(kept.signIn());
    const start = Date.now();
    // Used every 11 hours, it stays alive until the seventh day ends it.
    for (let hours = 11; hours < 7 * 24; hours += 11) {
      clock = start + hours * 60 * MINUTE;
      expect((await kept.call("GET", "/auth/session")).status, `after ${hours} h`).to.equal(200);
    }
    clock = start + 7 * 24 * 60 * MINUTE + 1_000;
    expect((await kept.call("GET", "/auth/session")).status).to.equal(401);
  });

  it("a session cannot act for another company: its resources are 404 as through the API, and its sessions are not ours to end", async () => {
    const other = await createCompany(svc);
    const theirs = await signedIn(svc.url, other.legalRep, other.legalRep);
    const ours = await signedIn(svc.url, co.legalRep, co.legalRep);
    await ok(ours.stepUp());
    const request = await pendingRequest();
    const mark = await logMark(svc.store);
    const theirSession = (await ok(theirs.call("GET", "/auth/session"))).session.id as string;
    const attempts: Array<[string, string, unknown?]> = [
      ["GET", `/members/${other.employee.id}`],
      ["POST", `/members/${other.employee.id}/roles`, { roles: ["auditor"] }],
      ["POST", `/members/${other.employee.id}/invitations`],
      ["DELETE", `/members/${other.employee.id}/sessions`],
      ["DELETE", `/auth/sessions/${theirSession}`],
      ["POST", `/seals/${other.seal.id}/suspend`],
    ];
    for (const [method, route, body] of attempts) {
      const r = await ours.call(method, route, body);
      expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 404, "NOT_FOUND"]);
    }
    await ok(theirs.stepUp());
    const r = await theirs.call("POST", `/requests/${request}/approve`);
    expect([r.status, r.body.error?.code]).to.deep.equal([404, "NOT_FOUND"]);
    expect(await logMark(svc.store)).to.equal(mark);
    expect((await theirs.call("GET", "/auth/session")).status).to.equal(200);
  });
});
