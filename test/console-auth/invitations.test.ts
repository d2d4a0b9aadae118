// Invitation → passkey → session, as the console's browser does it, with a software authenticator whose answers the
// service verifies for real: the link, the cookie, the session view, and the ways a link or an answer is refused.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { addPerson, createCompany, ok, type Person, type TestCompany } from "../helpers/company";
import { logMark, recordsSince } from "../helpers/records";
import { ConsoleClient, tokenOf } from "./console-client";
import { ACTIONS, may } from "../../service/domain/policy";
import { hashSecret } from "../../service/console-auth/secrets";

const HOUR = 3_600_000;

describe("console auth: invitations and passkey registration", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  let clock: number | null = null;

  before(async () => {
    svc = await startService({ now: () => new Date(clock ?? Date.now()) });
    co = await createCompany(svc);
  });
  after(() => svc.stop());
  afterEach(() => {
    clock = null;
  });

  const invite = async (member: string, by: Person = co.legalRep) => svc.call("POST", `/api/v1/members/${member}/invitations`, { token: by.token });

  it("an invitation link registers a passkey and opens a session whose view names the member, company, powers and CSRF token", async () => {
    const mark = await logMark(svc.store);
    const invitation = await invite(co.deptHead.id);
    expect(invitation.status).to.equal(201);
    expect(invitation.body.member).to.equal(co.deptHead.id);
    // Browsers refuse passkeys on an IP address: without PUBLIC_BASE_URL, a link asked for through 127.0.0.1 says localhost.
    expect(invitation.body.url).to.match(new RegExp(`^${svc.url.replace("127.0.0.1", "localhost")}/console/#/invite/[1-9A-HJ-NP-Za-km-z]{40,50}$`));
    expect(Date.parse(invitation.body.expiresAt) - Date.now()).to.be.within(24 * HOUR - 60_000, 24 * HOUR);
    // Only the token's hash is kept.
    const token = tokenOf(invitation.body.url);
    const kept = await svc.store.invitations.get(invitation.body.id);
    expect(kept?.hash).to.equal(hashSecret(token));
    expect(JSON.stringify(kept)).not.to.include(token);

    const browser = new ConsoleClient(svc.url);
    const redeemed = await browser.redeem(invitation.body.url);
    expect(redeemed.status, JSON.stringify(redeemed.body)).to.equal(201);
    expect(redeemed.setCookie).to.match(/^sealproof-session=[1-9A-HJ-NP-Za-km-z]{40,50}; Path=\/; HttpOnly; SameSite=Strict; Expires=/);
    expect(redeemed.setCookie).not.to.include("Secure");
    const member = await ok<{ name: string; roles: string[] }>(svc.call("GET", `/api/v1/members/${co.deptHead.id}`, { token: co.legalRep.token }));
    expect(redeemed.body.member).to.deep.equal({ id: co.deptHead.id, name: member.name, roles: member.roles, company: co.id });
    expect(redeemed.body.company.id).to.equal(co.id);
    const stored = (await svc.store.members.get(co.deptHead.id))!;
    expect(redeemed.body.powers).to.deep.equal(ACTIONS.filter((a) => may({ company: co.id, member: stored }, a)));
    expect(redeemed.body.powers).to.include("request.approve").and.not.include("member.add");
    expect(redeemed.body.session.stepUpUntil).to.equal(null);

    const session = await browser.call("GET", "/auth/session");
    expect(session.status).to.equal(200);
    expect(session.headers.get("cache-control")).to.equal("no-store");
    expect(session.body).to.deep.equal(redeemed.body);
    // The session's cookie is kept hashed: the secret the browser holds is nowhere in the store.
    const secret = browser.cookie!.split("=")[1];
    expect(JSON.stringify(await svc.store.consoleSessions.list(co.id, { member: co.deptHead.id }))).not.to.include(secret);

    const records = (await recordsSince(svc.store, co.id, mark)).map((r) => [r.type, r.subject, r.data]);
    const passkey = (await svc.store.passkeys.list(co.id, { member: co.deptHead.id }))[0];
    expect(records).to.deep.equal([
      ["member.invited", co.deptHead.id, { invitation: invitation.body.id }],
      ["member.passkey-registered", co.deptHead.id, { passkey: passkey.id, invitation: invitation.body.id }],
    ]);
  });

  it("the passkey signs in again later, without a user name, and a sign-in answer is not taken twice", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const first = new ConsoleClient(svc.url);
    await ok(first.redeem((await ok(invite(person.id))).url));
    const later = new ConsoleClient(svc.url, svc.url, first.authenticator);
    expect(later.cookie).to.equal(null);
    const options = await ok(later.call("POST", "/auth/sign-in/options", {}));
    expect(options.allowCredentials ?? []).to.deep.equal([]);
    const answer = later.authenticator.assert(options);
    const signedIn = await later.call("POST", "/auth/sign-in", { response: answer });
    expect(signedIn.status, JSON.stringify(signedIn.body)).to.equal(200);
    expect(signedIn.body.member.id).to.equal(person.id);
    expect(signedIn.body.session.id).not.to.equal(first.csrfToken);
    expect((await later.call("GET", "/auth/session")).body.member.id).to.equal(person.id);
    const replayed = await new ConsoleClient(svc.url).call("POST", "/auth/sign-in", { response: answer });
    expect([replayed.status, replayed.body.error.code]).to.deep.equal([400, "CHALLENGE_INVALID"]);
  });

  it("an assertion whose signature counter goes back (a cloned authenticator) or that names an unknown passkey signs nobody in", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const browser = new ConsoleClient(svc.url);
    await ok(browser.redeem((await ok(invite(person.id))).url));
    await ok(browser.signIn({ counter: 5 }));
    const cloned = await new ConsoleClient(svc.url, svc.url, browser.authenticator).signIn({ counter: 5 });
    expect([cloned.status, cloned.body.error.code, cloned.setCookie]).to.deep.equal([401, "PASSKEY_INVALID", null]);
    const stranger = new ConsoleClient(svc.url);
    stranger.authenticator.register({ challenge: "AAAAAAAAAAAAAAAAAAAAAA", rp: {}, user: { id: person.id } });
    const unknown = await stranger.signIn();
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([401, "PASSKEY_INVALID"]);
    expect((await new ConsoleClient(svc.url, svc.url, browser.authenticator).signIn({ counter: 6 })).status).to.equal(200);
  });

  it("a stolen invitation link used a second time fails, and changes nothing", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const url = (await ok(invite(person.id))).url as string;
    await ok(new ConsoleClient(svc.url).redeem(url));
    const mark = await logMark(svc.store);
    const thief = new ConsoleClient(svc.url);
    const options = await thief.call("POST", "/auth/invitations/options", { token: tokenOf(url) });
    expect([options.status, options.body.error.code]).to.deep.equal([410, "INVITATION_USED"]);
    // Even with options fetched before the first use, the answer comes too late.
    const racer = new ConsoleClient(svc.url);
    const url2 = (await ok(invite(person.id))).url as string;
    const early = await ok(racer.call("POST", "/auth/invitations/options", { token: tokenOf(url2) }));
    await ok(new ConsoleClient(svc.url).redeem(url2));
    const late = await racer.call("POST", "/auth/invitations/redeem", { token: tokenOf(url2), response: racer.authenticator.register(early) });
    expect([late.status, late.body.error.code, late.setCookie]).to.deep.equal([410, "INVITATION_USED", null]);
    expect((await svc.store.passkeys.list(co.id, { member: person.id })).length).to.equal(2);
    expect((await recordsSince(svc.store, co.id, mark)).map((r) => r.type)).to.deep.equal(["member.invited", "member.passkey-registered"]);
  });

  it("an invitation older than 24 hours is refused as expired; an unknown token as invalid", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    const url = (await ok(invite(person.id))).url as string;
    clock = Date.now() + 24 * HOUR + 1_000;
    const expired = await new ConsoleClient(svc.url).redeem(url);
    expect([expired.status, expired.body.error.code]).to.deep.equal([410, "INVITATION_EXPIRED"]);
    clock = null;
    const unknown = await new ConsoleClient(svc.url).call("POST", "/auth/invitations/options", { token: "2".repeat(44) });
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "INVITATION_INVALID"]);
  });

  it("a registration answer from another origin, or without user verification, registers nothing", async () => {
    const person = await addPerson(svc, co.legalRep, ["employee"]);
    for (const answer of [{ origin: "https://evil.example" }, { userVerified: false }, { type: "webauthn.get" }]) {
      const url = (await ok(invite(person.id))).url as string;
      const browser = new ConsoleClient(svc.url);
      const options = await ok(browser.call("POST", "/auth/invitations/options", { token: tokenOf(url) }));
      const refused = await browser.call("POST", "/auth/invitations/redeem", { token: tokenOf(url), response: browser.authenticator.register(options, answer) });
      expect([JSON.stringify(answer), refused.status, refused.body.error.code]).to.deep.equal([JSON.stringify(answer), 401, "PASSKEY_INVALID"]);
      // The challenge was used up by the failed answer; the link itself still works.
      const again = await browser.call("POST", "/auth/invitations/redeem", { token: tokenOf(url), response: browser.authenticator.register(options) });
      expect([again.status, again.body.error.code]).to.deep.equal([400, "CHALLENGE_INVALID"]);
    }
    expect(await svc.store.passkeys.list(co.id, { member: person.id })).to.deep.equal([]);
  });

  it("a seal_admin invites employees but not members holding powers; a member who left is not invited", async () => {
    const employee = await addPerson(svc, co.legalRep, ["employee"]);
    expect((await invite(employee.id, co.admin)).status).to.equal(201);
    const refused = await invite(co.custodian.id, co.admin);
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    await ok(svc.call("POST", `/api/v1/members/${employee.id}/leave`, { token: co.legalRep.token }));
    const left = await invite(employee.id);
    expect([left.status, left.body.error.code]).to.deep.equal([409, "MEMBER_INACTIVE"]);
  });

  it("behind TLS the cookie is Secure and named __Host-, and links use PUBLIC_BASE_URL", async () => {
    const tls = await startService({}, { publicBaseUrl: "https://seals.example.com" });
    try {
      const company = await createCompany(tls);
      const url = (await ok(tls.call("POST", `/api/v1/members/${company.employee.id}/invitations`, { token: company.legalRep.token }))).url as string;
      expect(url).to.match(/^https:\/\/seals\.example\.com\/console\/#\/invite\//);
      const browser = new ConsoleClient(tls.url, "https://seals.example.com");
      const redeemed = await browser.redeem(url);
      expect(redeemed.status, JSON.stringify(redeemed.body)).to.equal(201);
      expect(redeemed.setCookie).to.match(/^__Host-sealproof-session=\w+; Path=\/; HttpOnly; SameSite=Strict; Secure; Expires=/);
      // The passkey belongs to the public host name: an answer made for the address the service listens on is refused.
      const local = new ConsoleClient(tls.url, tls.url);
      const options = await ok(local.call("POST", "/auth/sign-in/options", {}));
      expect(options.rpId).to.equal("seals.example.com");
    } finally {
      await tls.stop();
    }
  });
});
