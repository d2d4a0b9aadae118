// The authorization matrix, generated from the policy table (service/domain/policy.ts): every member route of
// the API has cases, each case names the policy action that decides it, and every role is tried against every
// case, expecting exactly the action's roles to pass. A route without a case, or an action without one, fails.
// Then department scope and tenant isolation: another company's resource is a 404 on every route naming one. Last,
// every case again through the console: each role signed in with a passkey and stepped up, with the session cookie
// in place of its API key, must be allowed and refused exactly as through the API.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type Reply, type TestService } from "../helpers/service";
import { addPerson, createCompany, documentHash, enrolDevice, grantBody, ok, physicalSeal, requestUse, signedUsage, useSeal, type Person, type TestCompany } from "../helpers/company";
import { generateSm2KeyPair, recordSpec, sm3, toHex } from "../../service/evidence";
import { createApp } from "../../service/http/app";
import { ACTIONS, rolesFor, type Action } from "../../service/domain/policy";
import { ROLES, type Role } from "../../service/domain/model";
import { logMark } from "../helpers/records";
import { stampMessage, unlockedDevice } from "../devices/helpers";
import { raiseAlert, SYSTEM_COMPANY } from "../../service/alerts/raise";
import { signedIn, type ConsoleClient } from "../console-auth/console-client";

/** The test company's member holding each role (and only it). */
const HOLDER: Record<Role, "legalRep" | "admin" | "deptHead" | "employee" | "auditor" | "custodian" | "reviewer"> = {
  legal_rep: "legalRep",
  seal_admin: "admin",
  dept_head: "deptHead",
  employee: "employee",
  auditor: "auditor",
  custodian: "custodian",
  reviewer: "reviewer",
};

const HOUR = 3_600_000;

interface Case {
  /** "METHOD /path" exactly as the route is declared (api.routes). */
  route: string;
  action: Action;
  /** The target that makes `action` the deciding rule, in words. */
  target: string;
  /** Roles allowed; the action's roles unless the target adds an owner's right. */
  allowed?: readonly Role[];
  /** Codes that mean "refused" for this case: FORBIDDEN, or NOT_FOUND where a resource is hidden from those who may not see it. */
  refusals?: string[];
  attempt(who: Person): Promise<Reply>;
}

describe("http: authorization matrix", function () {
  this.timeout(180_000);
  let svc: TestService;
  let co: TestCompany;
  let physical: string;
  let outsiderGrant: string;
  let outsiderRequest: string;
  let device: string;
  let otherReviewer: Person;
  let outsiderAuthorization: string;
  let webhook: string;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    // The department head holds the seal for the department-level scenarios for a week: what lets them grant and approve.
    const week = { validFrom: new Date(Date.now() - HOUR).toISOString(), validTo: new Date(Date.now() + 7 * 24 * HOUR).toISOString() };
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.deptHead.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead], week) }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none, co.scenarios.deptHead, co.scenarios.legalRep]) }));
    // Every other writer holds the seal for routine use, so that requests and usages are decided by the policy alone.
    for (const who of [co.legalRep, co.admin, co.custodian, co.reviewer]) {
      await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(who.id, co.seal.id, [co.scenarios.none]) }));
    }
    outsiderGrant = (await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.outsider.id, co.seal.id, [co.scenarios.deptHead]) }))).id;
    outsiderRequest = await requestUse(svc, co.outsider, co.seal.id, co.scenarios.deptHead);
    physical = await physicalSeal(svc, co);
    device = (await enrolDevice(svc, co.admin)).id;
    otherReviewer = await addPerson(svc, co.legalRep, ["reviewer"]);
    outsiderAuthorization = (await unlockedDevice(svc, co, {}, undefined, co.outsider)).authorization;
    webhook = (await ok(as(co.admin, "POST", "/webhooks", webhookBody()))).webhook.id;
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, physical, [co.scenarios.deptHead]) }));
  });
  after(() => svc.stop());

  /** Role holders signed in to the console, by member id: while one is here, `as` calls as that member through the console. */
  const consoleSessions = new Map<string, ConsoleClient>();
  const as = (who: Person, method: string, route: string, body?: unknown): Promise<Reply> =>
    consoleSessions.get(who.id)?.call(method, route, body) ?? svc.call(method, `/api/v1${route}`, { token: who.token, body });
  const lr = (method: string, route: string, body?: unknown) => ok(as(co.legalRep, method, route, body));
  const newMember = async (roles: string[] = ["employee"]) => (await addPerson(svc, co.legalRep, roles)).id;
  const keyOf = async (member: string) => (await lr("GET", `/members/${member}/keys`)).keys[0].id as string;
  /** The id of the company's first record (its registration), which every member who may read the log may read. */
  const recordIdOf = async (company: string) => (await svc.store.records.page({ company }, { limit: 1 })).items[0].id;
  const electronicSeal = () => ({ kind: "electronic", type: "official", name: "公章", publicKey: generateSm2KeyPair().publicKey });
  const deviceBody = () => ({ serial: `SN-${Math.random().toString(36).slice(2, 12)}`, model: "SP-100", publicKey: generateSm2KeyPair().publicKey });
  const newSeal = async () => (await lr("POST", "/seals", electronicSeal())).id as string;
  const suspendedSeal = async () => {
    const id = await newSeal();
    await lr("POST", `/seals/${id}/suspend`);
    return id;
  };
  const approvedPhysicalRequest = async () => {
    const id = await requestUse(svc, co.employee, physical, co.scenarios.deptHead);
    await lr("POST", `/requests/${id}/approve`);
    return id;
  };
  /** An open alert about the physical seal, raised as the device subsystem raises them; its id. */
  const newAlert = async (company = co.id) =>
    (await svc.store.transaction((tx) => raiseAlert(tx, { code: "STAMP_GAP", at: new Date(), company, subject: physical, source: device, data: { device } }))).id;
  const webhookBody = () => ({ url: "https://hooks.example.com/sealproof", severities: ["critical"] });
  /** A webhook as `who` sees deleting it; one they may not delete is deleted afterwards, so the company stays under its limit. */
  const deleteNewWebhook = async (who: Person) => {
    const id = (await lr("POST", "/webhooks", webhookBody())).webhook.id as string;
    const r = await as(who, "POST", `/webhooks/${id}/delete`);
    if (r.status >= 300) await lr("POST", `/webhooks/${id}/delete`);
    return r;
  };
  /** Creating a webhook as `who`, then deleting what was created: the company keeps under its limit of webhooks. */
  const deleteAfter = (create: (who: Person) => Promise<Reply>) => async (who: Person) => {
    const r = await create(who);
    if (r.status < 300) await lr("POST", `/webhooks/${r.body.webhook.id}/delete`);
    return r;
  };
  const sealedDevice = async () => {
    const enrolled = await enrolDevice(svc, co.admin);
    await physicalSeal(svc, co, enrolled.id);
    return enrolled;
  };
  /** A device locked by the legal representative, holding a seal in the custodian's custody reviewed by `reviewer`. */
  const lockedDevice = async (reviewer: string) => {
    const enrolled = await enrolDevice(svc, co.admin);
    await lr("POST", "/seals", { kind: "physical", type: "official", name: "公章", device: enrolled.id, custodian: co.custodian.id, reviewer });
    await lr("POST", `/devices/${enrolled.id}/lock`);
    return enrolled.id;
  };
  /**
   * A stamp (unauthorized: none is needed to keep its photo and location) by a new device holding a seal in the custody
   * of `custodian` and `reviewer`, its JPEG uploaded: the routes of its photo and of its location.
   */
  const stampWithMedia = async (custodian = co.custodian.id, reviewer = co.reviewer.id) => {
    const enrolled = await enrolDevice(svc, co.admin);
    await lr("POST", "/seals", { kind: "physical", type: "official", name: "公章", device: enrolled.id, custodian, reviewer });
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]);
    const hash = toHex(sm3(photo));
    await ok(svc.call("POST", "/api/v1/device-messages", { token: enrolled.credential, body: { messages: [stampMessage(enrolled, 0, 1, { photoHash: hash })] } }));
    await ok(svc.call("PUT", `/api/v1/devices/${enrolled.id}/photos/${hash}`, { token: enrolled.credential, raw: photo, headers: { "content-type": "image/jpeg" } }));
    return { photo: `/devices/${enrolled.id}/photos/${hash}`, location: `/devices/${enrolled.id}/stamps/0/location` };
  };
  let custodyStamp: ReturnType<typeof stampWithMedia> | undefined;
  let othersStamp: ReturnType<typeof stampWithMedia> | undefined;
  const inCustody = () => (custodyStamp ??= stampWithMedia());
  const inOthersCustody = () => (othersStamp ??= (async () => stampWithMedia((await addPerson(svc, co.legalRep, ["custodian"])).id, otherReviewer.id))());
  /** Disclosing needs the stamp anchored, which this service never does: past the policy, the refusal is STAMP_NOT_ANCHORED. */
  const pastPolicy = (r: Reply): Reply => (r.status === 409 && r.body.error?.code === "STAMP_NOT_ANCHORED" ? { status: 200, body: r.body } : r);
  const brokenDevice = async () => {
    const device = await unlockedDevice(svc, co);
    await ok(as(co.custodian, "POST", `/devices/${device.id}/out-of-order`));
    return device;
  };
  const grantGivenBy = async (giver: Person) => (await ok(as(giver, "POST", "/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.none])))).id as string;
  const useAs = async (who: Person) => {
    const reservation = await as(who, "POST", "/usages/reservations", { seal: co.seal.id });
    // A member refused a reservation still submits, with an id never reserved: the submit route must refuse them by itself.
    const receipt = reservation.status === 201 ? (reservation.body.receipt as string) : "7Jq3v9PzX2mKc4TnR8wYbD";
    return as(who, "POST", "/usages", signedUsage({ receipt, seal: co.seal.id, signer: who.id, documentHash: documentHash("m"), scenario: co.scenarios.none, request: null }, co.seal.privateKey));
  };
  let othersUsage: Promise<string> | undefined;
  /** A usage made by a new employee: only its maker and those who read every request may see it. */
  const usageOfAnother = () =>
    (othersUsage ??= (async () => {
      const maker = await addPerson(svc, co.legalRep, ["employee"]);
      await lr("POST", "/grants", grantBody(maker.id, co.seal.id, [co.scenarios.none]));
      return (await ok(useSeal(svc, maker, co.seal, co.scenarios.none))).receipt as string;
    })());
  const linkScan = (who: Person, receipt: string) => as(who, "POST", `/usages/${receipt}/documents`, { role: "scan", hash: documentHash(String(Math.random())) });

  const cases: Case[] = [
    { route: "GET /me", action: "member.read", target: "the caller", attempt: (w) => as(w, "GET", "/me") },
    { route: "GET /company", action: "company.read", target: "the caller's company", attempt: (w) => as(w, "GET", "/company") },
    { route: "GET /members", action: "member.read", target: "the company", attempt: (w) => as(w, "GET", "/members") },
    { route: "GET /members/:id", action: "member.read", target: "an employee", attempt: (w) => as(w, "GET", `/members/${co.employee.id}`) },
    { route: "POST /members", action: "member.add", target: "an employee", attempt: (w) => as(w, "POST", "/members", { name: "n", roles: ["employee"], department: "sales" }) },
    { route: "POST /members", action: "member.add-empowered", target: "a seal_admin", attempt: (w) => as(w, "POST", "/members", { name: "n", roles: ["seal_admin"], department: null }) },
    { route: "POST /members", action: "member.add-empowered", target: "a custodian", attempt: (w) => as(w, "POST", "/members", { name: "n", roles: ["custodian"], department: "sales" }) },
    { route: "POST /members/:id/roles", action: "member.roles", target: "an employee made auditor in another department", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/roles`, { roles: ["auditor"], department: "finance" }) },
    { route: "POST /members/:id/roles", action: "member.roles-empowered", target: "an employee made reviewer", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/roles`, { roles: ["reviewer"], department: "sales" }) },
    { route: "POST /members/:id/roles", action: "member.roles-empowered", target: "an employee made seal_admin", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/roles`, { roles: ["seal_admin"] }) },
    { route: "POST /members/:id/roles", action: "member.roles-empowered", target: "a seal_admin made employee", attempt: async (w) => as(w, "POST", `/members/${await newMember(["seal_admin"])}/roles`, { roles: ["employee"] }) },
    { route: "POST /members/:id/leave", action: "member.leave", target: "an employee", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/leave`) },
    { route: "POST /members/:id/leave", action: "member.leave-admin", target: "a seal_admin", attempt: async (w) => as(w, "POST", `/members/${await newMember(["seal_admin"])}/leave`) },
    { route: "GET /members/:id/keys", action: "key.list-own", target: "the caller", attempt: (w) => as(w, "GET", `/members/${w.id}/keys`) },
    { route: "GET /members/:id/keys", action: "key.list-other", target: "an employee", attempt: (w) => as(w, "GET", `/members/${co.outsider.id}/keys`) },
    { route: "POST /members/:id/keys", action: "key.issue-own", target: "the caller", attempt: (w) => as(w, "POST", `/members/${w.id}/keys`) },
    { route: "POST /members/:id/keys", action: "key.issue-other", target: "an employee without grants", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/keys`) },
    { route: "POST /members/:id/keys", action: "key.issue-empowered", target: "a department head", attempt: async (w) => as(w, "POST", `/members/${await newMember(["dept_head"])}/keys`) },
    {
      route: "POST /keys/:id/revoke", action: "key.revoke-own", target: "the caller's second key",
      attempt: async (w) => as(w, "POST", `/keys/${(await ok(as(w, "POST", `/members/${w.id}/keys`))).id}/revoke`),
    },
    { route: "POST /keys/:id/revoke", action: "key.revoke-other", target: "an employee's key", attempt: async (w) => as(w, "POST", `/keys/${await keyOf(await newMember())}/revoke`) },
    { route: "POST /keys/:id/revoke", action: "key.revoke-empowered", target: "a custodian's key", attempt: async (w) => as(w, "POST", `/keys/${await keyOf(await newMember(["custodian"]))}/revoke`) },
    { route: "POST /members/:id/invitations", action: "member.invite", target: "an employee without grants", attempt: async (w) => as(w, "POST", `/members/${await newMember()}/invitations`) },
    { route: "POST /members/:id/invitations", action: "member.invite-empowered", target: "a department head", attempt: async (w) => as(w, "POST", `/members/${await newMember(["dept_head"])}/invitations`) },
    { route: "DELETE /members/:id/sessions", action: "session.revoke-other", target: "an employee without grants", attempt: async (w) => as(w, "DELETE", `/members/${await newMember()}/sessions`) },
    { route: "DELETE /members/:id/sessions", action: "session.revoke-empowered", target: "a custodian", attempt: async (w) => as(w, "DELETE", `/members/${await newMember(["custodian"])}/sessions`) },
    { route: "GET /seals", action: "seal.read", target: "the company", attempt: (w) => as(w, "GET", "/seals") },
    { route: "GET /seals/:id", action: "seal.read", target: "a seal", attempt: (w) => as(w, "GET", `/seals/${co.seal.id}`) },
    { route: "POST /seals", action: "seal.register", target: "an electronic seal", attempt: (w) => as(w, "POST", "/seals", electronicSeal()) },
    { route: "POST /seals/:id/suspend", action: "seal.suspend", target: "an active seal", attempt: async (w) => as(w, "POST", `/seals/${await newSeal()}/suspend`) },
    { route: "POST /seals/:id/resume", action: "seal.resume", target: "a suspended seal", attempt: async (w) => as(w, "POST", `/seals/${await suspendedSeal()}/resume`) },
    { route: "POST /seals/:id/revoke", action: "seal.revoke", target: "an active seal", attempt: async (w) => as(w, "POST", `/seals/${await newSeal()}/revoke`) },
    { route: "POST /seals/:id/destroy", action: "seal.destroy", target: "a physical seal with no open request", attempt: async (w) => as(w, "POST", `/seals/${await physicalSeal(svc, co)}/destroy`) },
    { route: "POST /seals/:id/replace", action: "seal.replace", target: "an active seal", attempt: async (w) => as(w, "POST", `/seals/${await newSeal()}/replace`, electronicSeal()) },
    { route: "GET /devices", action: "device.read", target: "the company", attempt: (w) => as(w, "GET", "/devices") },
    { route: "GET /devices/:id", action: "device.read", target: "a device", attempt: (w) => as(w, "GET", `/devices/${device}`) },
    { route: "POST /devices", action: "device.enrol", target: "a new device", attempt: (w) => as(w, "POST", "/devices", deviceBody()) },
    { route: "POST /devices/:id/retire", action: "device.retire", target: "a device holding no seal", attempt: async (w) => as(w, "POST", `/devices/${(await enrolDevice(svc, co.admin)).id}/retire`) },
    { route: "POST /devices/:id/lock", action: "device.lock", target: "a device holding no seal", attempt: async (w) => as(w, "POST", `/devices/${(await enrolDevice(svc, co.admin)).id}/lock`) },
    {
      route: "POST /devices/:id/lock", action: "device.lock-in-custody", target: "the device of a seal in the custodian's custody", allowed: [...rolesFor("device.lock"), ...rolesFor("device.lock-in-custody")],
      attempt: async (w) => as(w, "POST", `/devices/${(await sealedDevice()).id}/lock`),
    },
    { route: "POST /devices/:id/unlock", action: "device.unlock", target: "a locked device whose seal another member reviews", attempt: async (w) => as(w, "POST", `/devices/${await lockedDevice(otherReviewer.id)}/unlock`) },
    {
      route: "POST /devices/:id/unlock", action: "device.unlock-review", target: "a locked device whose seal the reviewer reviews", allowed: [...rolesFor("device.unlock"), ...rolesFor("device.unlock-review")],
      attempt: async (w) => as(w, "POST", `/devices/${await lockedDevice(co.reviewer.id)}/unlock`),
    },
    { route: "POST /devices/:id/out-of-order", action: "device.report-out-of-order", target: "the device of a seal in the custodian's custody", attempt: async (w) => as(w, "POST", `/devices/${(await sealedDevice()).id}/out-of-order`) },
    {
      route: "POST /devices/:id/manual-stamps", action: "device.manual-stamp", target: "an out-of-order device under an open authorization",
      attempt: async (w) => {
        const device = await brokenDevice();
        return as(w, "POST", `/devices/${device.id}/manual-stamps`, { authorization: device.authorization });
      },
    },
    {
      route: "POST /devices/:id/manual-stamps/:stamp/confirm", action: "device.manual-stamp", target: "a manual stamp the other of custodian and reviewer began",
      attempt: async (w) => {
        const device = await brokenDevice();
        const begun = await ok(as(w.id === co.custodian.id ? co.reviewer : co.custodian, "POST", `/devices/${device.id}/manual-stamps`, { authorization: device.authorization }));
        return as(w, "POST", `/devices/${device.id}/manual-stamps/${begun.id}/confirm`);
      },
    },
    { route: "GET /authorizations/:id", action: "request.read-all", target: "another member's authorization", refusals: ["NOT_FOUND"], attempt: (w) => as(w, "GET", `/authorizations/${outsiderAuthorization}`) },
    { route: "GET /devices/:id/photos/:sm3", action: "stamp.photo-read", target: "a photo of a seal in others' custody", attempt: async (w) => as(w, "GET", (await inOthersCustody()).photo) },
    {
      route: "GET /devices/:id/photos/:sm3", action: "stamp.photo-read-in-custody", target: "a photo of a seal in the custodian's and reviewer's custody", allowed: [...rolesFor("stamp.photo-read"), ...rolesFor("stamp.photo-read-in-custody")],
      attempt: async (w) => as(w, "GET", (await inCustody()).photo),
    },
    { route: "POST /devices/:id/photos/:sm3/erasure", action: "stamp.photo-erase", target: "a stored photo", attempt: async (w) => as(w, "POST", `${(await stampWithMedia()).photo}/erasure`) },
    { route: "GET /devices/:id/stamps/:n/location", action: "stamp.location-disclose", target: "a stamp's kept location", attempt: async (w) => pastPolicy(await as(w, "GET", (await inCustody()).location)) },
    { route: "POST /devices/:id/stamps/:n/location/erasure", action: "stamp.location-erase", target: "a stamp's kept location", attempt: async (w) => as(w, "POST", `${(await stampWithMedia()).location}/erasure`) },
    { route: "POST /authorizations/:id/withdraw", action: "authorization.withdraw", target: "an open authorization", attempt: async (w) => as(w, "POST", `/authorizations/${(await unlockedDevice(svc, co)).authorization}/withdraw`) },
    { route: "GET /scenarios", action: "scenario.read", target: "the company", attempt: (w) => as(w, "GET", "/scenarios") },
    { route: "GET /scenarios/:id", action: "scenario.read", target: "a scenario", attempt: (w) => as(w, "GET", `/scenarios/${co.scenarios.none}`) },
    {
      route: "POST /scenarios", action: "scenario.define", target: "a new scenario",
      attempt: (w) => as(w, "POST", "/scenarios", { code: `c${Math.random().toString(36).slice(2, 8)}`, name: "n", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" }),
    },
    { route: "GET /grants", action: "grant.read-own", target: "the caller's grants", attempt: (w) => as(w, "GET", "/grants") },
    { route: "GET /grants/:id", action: "grant.read-all", target: "another member's grant", refusals: ["NOT_FOUND"], attempt: (w) => as(w, "GET", `/grants/${outsiderGrant}`) },
    { route: "POST /grants", action: "grant.give", target: "an employee of the department, inside the giver's grant", attempt: (w) => as(w, "POST", "/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.none])) },
    {
      route: "POST /grants", action: "grant.give-unbounded", target: "a scenario no department head holds", refusals: ["FORBIDDEN", "GRANT_EXCEEDS_GIVER"],
      attempt: (w) => as(w, "POST", "/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.legalRep])),
    },
    { route: "POST /grants/:id/withdraw", action: "grant.withdraw-any", target: "a grant the legal representative gave", attempt: async (w) => as(w, "POST", `/grants/${await grantGivenBy(co.legalRep)}/withdraw`) },
    {
      route: "POST /grants/:id/withdraw", action: "grant.withdraw-given", target: "a grant the department head gave",
      allowed: [...rolesFor("grant.withdraw-any"), ...rolesFor("grant.withdraw-given").filter((r) => r === "dept_head")],
      attempt: async (w) => as(w, "POST", `/grants/${await grantGivenBy(co.deptHead)}/withdraw`),
    },
    { route: "GET /requests", action: "request.read-own", target: "the caller's requests", attempt: (w) => as(w, "GET", "/requests") },
    { route: "GET /requests/:id", action: "request.read-all", target: "another member's request", refusals: ["NOT_FOUND"], attempt: (w) => as(w, "GET", `/requests/${outsiderRequest}`) },
    {
      route: "POST /requests", action: "request.create", target: "a seal the caller holds (auditors hold none)", refusals: ["FORBIDDEN"],
      attempt: (w) => as(w, "POST", "/requests", { seal: co.seal.id, scenario: co.scenarios.none, documentHash: documentHash(String(Math.random())), title: "t", reason: "r" }),
    },
    ...(["approve", "reject"] as const).flatMap((decision): Case[] => [
      { route: `POST /requests/:id/${decision}`, action: "request.approve", target: "a department-level request from the department", attempt: async (w) => as(w, "POST", `/requests/${await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead)}/${decision}`) },
      { route: `POST /requests/:id/${decision}`, action: "request.approve-legal-rep-level", target: "a legal_rep-level request", attempt: async (w) => as(w, "POST", `/requests/${await requestUse(svc, co.employee, co.seal.id, co.scenarios.legalRep)}/${decision}`) },
    ]),
    { route: "POST /requests/:id/confirm-custody", action: "request.confirm-custody", target: "an approved request for a seal in the caller's custody", attempt: async (w) => as(w, "POST", `/requests/${await approvedPhysicalRequest()}/confirm-custody`) },
    { route: "POST /usages/reservations", action: "usage.reserve", target: "a seal the caller holds", attempt: (w) => as(w, "POST", "/usages/reservations", { seal: co.seal.id }) },
    { route: "POST /usages", action: "usage.submit", target: "a seal the caller holds", attempt: useAs },
    {
      route: "POST /usages/:receiptId/documents", action: "document.link", target: "the caller's own usage (auditors make none)",
      attempt: async (w) => {
        const used = await useAs(w);
        return linkScan(w, used.status === 201 ? (used.body.receipt as string) : "7Jq3v9PzX2mKc4TnR8wYbD");
      },
    },
    {
      route: "POST /usages/:receiptId/documents", action: "request.read-all", target: "another member's usage", refusals: ["FORBIDDEN", "NOT_FOUND"],
      allowed: rolesFor("document.link").filter((r) => rolesFor("request.read-all").includes(r)),
      attempt: async (w) => linkScan(w, await usageOfAnother()),
    },
    { route: "GET /records", action: "records.read", target: "the company's log", attempt: (w) => as(w, "GET", "/records?limit=5") },
    { route: "GET /records/:seq", action: "records.read", target: "a record of the company", attempt: async (w) => (await logMark(svc.store), as(w, "GET", "/records/0")) },
    { route: "GET /records/by-id/:id", action: "records.read", target: "a record of the company", attempt: async (w) => as(w, "GET", `/records/by-id/${await recordIdOf(co.id)}`) },
    { route: "GET /records/:seq/receipt", action: "records.read", target: "a record of the company", attempt: (w) => as(w, "GET", "/records/0/receipt") },
    { route: "GET /receipts", action: "records.read", target: "the company's log", attempt: (w) => as(w, "GET", "/receipts?limit=5") },
    { route: "GET /audit/bundle", action: "audit.export", target: "the company's log", attempt: (w) => as(w, "GET", "/audit/bundle?fromCseq=0&toCseq=0") },
    { route: "GET /audit/reconciliation", action: "audit.reconcile", target: "the company's log", attempt: (w) => as(w, "GET", `/audit/reconciliation?from=2026-01-01T00:00:00.000Z&to=${new Date(Date.now() + 86_400_000).toISOString()}`) },
    { route: "GET /audit/ledger", action: "audit.ledger", target: "the company's log", attempt: (w) => as(w, "GET", `/audit/ledger?from=2026-01-01T00:00:00.000Z&to=${new Date(Date.now() + 86_400_000).toISOString()}`) },
    { route: "POST /audit/reports/:month", action: "audit.report", target: "the company's log", attempt: (w) => as(w, "POST", "/audit/reports/2026-01", { format: "json" }) },
    { route: "GET /audit/findings", action: "audit.findings", target: "the company's log", attempt: (w) => as(w, "GET", `/audit/findings?from=2026-01-01T00:00:00.000Z&to=${new Date(Date.now() + 86_400_000).toISOString()}`) },
    { route: "POST /audit/settings", action: "audit.settings", target: "the company's anomaly thresholds", attempt: (w) => as(w, "POST", "/audit/settings", { burstCount: 12 }) },
    { route: "GET /alerts", action: "alert.read", target: "the company's alerts", attempt: (w) => as(w, "GET", "/alerts?state=open") },
    { route: "GET /alerts/:id", action: "alert.read", target: "an alert of the company", attempt: async (w) => as(w, "GET", `/alerts/${await newAlert()}`) },
    { route: "POST /alerts/:id/acknowledge", action: "alert.handle", target: "an open alert", attempt: async (w) => as(w, "POST", `/alerts/${await newAlert()}/acknowledge`) },
    { route: "POST /alerts/:id/resolve", action: "alert.handle", target: "an open alert", attempt: async (w) => as(w, "POST", `/alerts/${await newAlert()}/resolve`, { note: "the seal was checked" }) },
    { route: "GET /webhooks", action: "webhook.read", target: "the company's webhooks", attempt: (w) => as(w, "GET", "/webhooks") },
    { route: "POST /webhooks", action: "webhook.manage", target: "a public HTTPS endpoint", attempt: deleteAfter((w) => as(w, "POST", "/webhooks", webhookBody())) },
    { route: "POST /webhooks/:id/delete", action: "webhook.manage", target: "a webhook", attempt: deleteNewWebhook },
    { route: "GET /webhooks/:id/deliveries", action: "webhook.read", target: "a webhook", attempt: (w) => as(w, "GET", `/webhooks/${webhook}/deliveries`) },
  ];

  describe("coverage", () => {
    it("every member route has a case, and every case a declared route", () => {
      const { api } = createApp({ ctx: svc.ctx, operatorToken: OPERATOR_TOKEN, version: "test", bodyLimit: "64kb", publicRateLimit: 1, log: () => undefined });
      const declared = api.routes.filter((r) => r.auth === "member").map((r) => `${r.method.toUpperCase()} ${r.path}`);
      const covered = new Set(cases.map((c) => c.route));
      expect(declared.filter((r) => !covered.has(r)), "member routes without a matrix case").to.deep.equal([]);
      expect([...covered].filter((r) => !declared.includes(r)), "cases for routes the API does not declare").to.deep.equal([]);
    });

    it("every action of the policy table is tried", () => {
      const tried = new Set(cases.map((c) => c.action));
      expect(ACTIONS.filter((a) => !tried.has(a))).to.deep.equal([]);
    });

    it("the legal representative holds every power but those dual control over a physical seal gives to named persons", () => {
      expect(ACTIONS.filter((a) => !rolesFor(a).includes("legal_rep"))).to.deep.equal(["device.unlock-review", "device.manual-stamp", "request.confirm-custody"]);
    });
  });

  const tryEveryRole = async (c: Case) => {
    const allowed = c.allowed ?? rolesFor(c.action);
    const refusals = c.refusals ?? ["FORBIDDEN"];
    const expected: Record<string, string> = {};
    const observed: Record<string, string> = {};
    for (const role of ROLES) {
      const r = await c.attempt(co[HOLDER[role]]);
      expected[role] = allowed.includes(role) ? "allowed" : "refused";
      const refused = (r.status === 403 || r.status === 404) && refusals.includes(r.body.error?.code);
      observed[role] = r.status < 300 ? "allowed" : refused ? "refused" : `${r.status} ${r.body.error?.code}`;
    }
    expect(observed).to.deep.equal(expected);
  };

  for (const c of cases) {
    it(`${c.route} on ${c.target} (${c.action})`, () => tryEveryRole(c));
  }

  describe("department scope", () => {
    it("a department head cannot grant to a member of another department", async () => {
      const r = await as(co.deptHead, "POST", "/grants", grantBody(co.outsider.id, co.seal.id, [co.scenarios.none]));
      expect([r.status, r.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    });
    it("a department head cannot grant a scenario they do not hold", async () => {
      const r = await as(co.deptHead, "POST", "/grants", grantBody(co.employee.id, co.seal.id, [co.scenarios.legalRep]));
      expect([r.status, r.body.error.code]).to.deep.equal([403, "GRANT_EXCEEDS_GIVER"]);
    });
    it("a department head cannot approve a request from another department", async () => {
      const r = await as(co.deptHead, "POST", `/requests/${await requestUse(svc, co.outsider, co.seal.id, co.scenarios.deptHead)}/approve`);
      expect([r.status, r.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    });
    it("a department head cannot approve their own request", async () => {
      const r = await as(co.deptHead, "POST", `/requests/${await requestUse(svc, co.deptHead, co.seal.id, co.scenarios.deptHead)}/approve`);
      expect([r.status, r.body.error.code]).to.deep.equal([403, "SELF_APPROVAL"]);
    });
    it("only the seal's own custodian or reviewer confirms custody", async () => {
      const stranger = await addPerson(svc, co.legalRep, ["custodian"]);
      const r = await as(stranger, "POST", `/requests/${await approvedPhysicalRequest()}/confirm-custody`);
      expect([r.status, r.body.error.code]).to.deep.equal([403, "FORBIDDEN"]);
    });
  });

  describe("tenant isolation", () => {
    let other: TestCompany;
    let requestId: string;
    let grantId: string;
    let keyId: string;
    let ownAuthorization: string;
    let alertId: string;
    let systemAlert: string;
    before(async () => {
      other = await createCompany(svc);
      await enrolDevice(svc, other.admin);
      requestId = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
      grantId = (await lr("GET", "/grants")).grants[0].id;
      keyId = await keyOf(co.employee.id);
      ownAuthorization = (await unlockedDevice(svc, co)).authorization;
      alertId = await newAlert();
      systemAlert = await newAlert(SYSTEM_COMPANY);
    });

    it("every route naming another company's resource answers 404 and changes nothing", async () => {
      const before = await logMark(svc.store);
      const routes: Array<[string, string, unknown?]> = [
        ["GET", `/members/${co.employee.id}`],
        ["POST", `/members/${co.employee.id}/roles`, { roles: ["employee"] }],
        ["POST", `/members/${co.employee.id}/leave`],
        ["GET", `/members/${co.employee.id}/keys`],
        ["POST", `/members/${co.employee.id}/keys`],
        ["POST", `/keys/${keyId}/revoke`],
        ["POST", `/members/${co.employee.id}/invitations`],
        ["DELETE", `/members/${co.employee.id}/sessions`],
        ["GET", `/seals/${co.seal.id}`],
        ...["suspend", "resume", "revoke", "destroy"].map((t): [string, string] => ["POST", `/seals/${co.seal.id}/${t}`]),
        ["POST", `/seals/${co.seal.id}/replace`, electronicSeal()],
        ["GET", `/scenarios/${co.scenarios.none}`],
        ["GET", `/devices/${device}`],
        ["POST", `/devices/${device}/retire`],
        ...["lock", "unlock", "out-of-order"].map((t): [string, string] => ["POST", `/devices/${device}/${t}`]),
        ["POST", `/devices/${device}/manual-stamps`, { authorization: ownAuthorization }],
        ["POST", `/devices/${device}/manual-stamps/ms_1111111111111111/confirm`],
        ["GET", `/authorizations/${ownAuthorization}`],
        ["POST", `/authorizations/${ownAuthorization}/withdraw`],
        ["GET", `/devices/${device}/photos/${"ab".repeat(32)}`],
        ["POST", `/devices/${device}/photos/${"ab".repeat(32)}/erasure`],
        ["GET", `/devices/${device}/stamps/0/location`],
        ["POST", `/devices/${device}/stamps/0/location/erasure`],
        ["POST", "/seals", { kind: "physical", type: "official", name: "公章", device, custodian: other.custodian.id, reviewer: other.reviewer.id }],
        ["GET", `/grants/${grantId}`],
        ["POST", `/grants/${grantId}/withdraw`],
        ["GET", `/requests/${requestId}`],
        ...["approve", "reject", "confirm-custody"].map((t): [string, string] => ["POST", `/requests/${requestId}/${t}`]),
        ["GET", "/records/0"],
        ["GET", "/records/0/receipt"],
        ["GET", `/records/by-id/${await recordIdOf(co.id)}`],
        ["POST", "/usages/reservations", { seal: co.seal.id }],
        ["POST", `/usages/${await usageOfAnother()}/documents`, { role: "scan", hash: documentHash("scan") }],
        ["POST", "/audit/reports/2026-01", { company: co.id }],
        ["GET", `/alerts/${alertId}`],
        ["POST", `/alerts/${alertId}/acknowledge`],
        ["POST", `/alerts/${alertId}/resolve`, { note: "n" }],
        ["GET", `/alerts/${systemAlert}`],
        ["POST", `/alerts/${systemAlert}/resolve`, { note: "n" }],
        ["GET", `/webhooks/${webhook}/deliveries`],
        ["POST", `/webhooks/${webhook}/delete`],
        ["POST", "/grants", grantBody(other.employee.id, co.seal.id, [co.scenarios.none])],
        ["POST", "/requests", { seal: co.seal.id, scenario: co.scenarios.none, documentHash: documentHash("x"), title: "t", reason: "r" }],
      ];
      for (const [method, route, body] of routes) {
        const r = await as(other.legalRep, method, route, body);
        expect([route, r.status, r.body.error?.code]).to.deep.equal([route, 404, "NOT_FOUND"]);
      }
      expect(await logMark(svc.store)).to.equal(before);
    });

    it("lists show only the caller's company", async () => {
      await logMark(svc.store);
      const mayBeEmpty = ["grants", "requests", "alerts", "webhooks"];
      for (const [route, field] of [["/members", "members"], ["/seals", "seals"], ["/scenarios", "scenarios"], ["/devices", "devices"], ["/grants", "grants"], ["/requests", "requests"], ["/records?limit=1000", "records"], ["/alerts", "alerts"], ["/webhooks", "webhooks"]]) {
        const list = (await ok(as(other.legalRep, "GET", route)))[field] as Array<{ company: string }>;
        expect(list.length, route).to.be.greaterThan(mayBeEmpty.includes(field) ? -1 : 0);
        expect(list.every((item) => item.company === other.id), route).to.equal(true);
      }
    });
  });

  describe("through console sessions", () => {
    before(async () => {
      for (const role of ROLES) {
        const person = co[HOLDER[role]];
        const browser = await signedIn(svc.url, co.legalRep, person);
        await ok(browser.stepUp());
        consoleSessions.set(person.id, browser);
      }
    });
    after(() => consoleSessions.clear());

    for (const c of cases) {
      it(`${c.route} on ${c.target} (${c.action}), signed in with a passkey`, () => tryEveryRole(c));
    }
  });

  // Every route has run above, as every role: the records they wrote are the product's record types in use.
  describe("records written", () => {
    it("every record has the data its type's spec in evidence/ requires, so its receipt parses", async () => {
      const records = await svc.store.records.list({ fromSeq: 0, limit: await logMark(svc.store) });
      const types = new Set(records.map((r) => r.type));
      expect(types.size).to.be.greaterThan(15);
      const malformed = records.map((r) => ({ seq: r.seq, type: r.type, parsed: recordSpec(r.type).data(r.data) })).filter((r) => !r.parsed.ok);
      expect(malformed).to.deep.equal([]);
    });
  });
});
