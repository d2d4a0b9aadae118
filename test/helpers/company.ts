// Builds a company through the real HTTP API: legal rep, one member per role, an electronic seal with a
// fresh SM2 key, scenarios at each approval level, and helpers to sign and submit usages.
import { generateSm2KeyPair, sm2Sign, sm3, toHex, usageTbsBytes, type UsageTbs } from "../../service/evidence";
import { OPERATOR_TOKEN, type Call } from "./service";
import { randomCreditCode } from "../../service/domain/registry-check";

type Client = { call: Call };

export const LEGAL_REP_ID_NUMBER = "11010519491231002X";


export interface Person {
  id: string;
  token: string;
}

export interface TestCompany {
  id: string;
  legalRep: Person;
  admin: Person;
  deptHead: Person;
  employee: Person;
  auditor: Person;
  custodian: Person;
  reviewer: Person;
  outsider: Person;
  seal: { id: string; privateKey: string; publicKey: string };
  scenarios: { none: string; deptHead: string; legalRep: string };
}

export async function createCompany(svc: Client, operatorToken = OPERATOR_TOKEN): Promise<TestCompany> {
  const created = await svc.call("POST", "/api/v1/companies", {
    token: operatorToken,
    body: { name: "Test Trading Co.", creditCode: randomCreditCode(), legalRep: { name: "Zhang San", idNumber: LEGAL_REP_ID_NUMBER } },
  });
  if (created.status !== 201) throw new Error(`company: ${created.status} ${JSON.stringify(created.body)}`);
  const legalRep = { id: created.body.legalRep.id, token: created.body.apiKey.secret };
  const add = async (roles: string[], department: string | null = "sales"): Promise<Person> => {
    const r = await svc.call("POST", "/api/v1/members", { token: legalRep.token, body: { name: `member ${roles.join("+")}`, roles, department } });
    if (r.status !== 201) throw new Error(`member: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.member.id, token: r.body.apiKey.secret };
  };
  const admin = await add(["seal_admin"], null);
  const deptHead = await add(["dept_head"]);
  const employee = await add(["employee"]);
  const auditor = await add(["auditor"], null);
  const custodian = await add(["custodian"]);
  const reviewer = await add(["reviewer"]);
  const outsider = await add(["employee"], "finance");
  const keys = generateSm2KeyPair();
  const seal = await ok(svc.call("POST", "/api/v1/seals", { token: admin.token, body: { kind: "electronic", type: "contract", name: "合同专用章", publicKey: keys.publicKey } }));
  const scenario = async (code: string, approval: string) =>
    (await ok(svc.call("POST", "/api/v1/scenarios", { token: admin.token, body: { code, name: code, sealKinds: ["electronic", "physical"], sealTypes: ["contract", "official"], approval } }))).id as string;
  const scenarios = { none: await scenario("routine", "none"), deptHead: await scenario("contract", "dept_head"), legalRep: await scenario("major", "legal_rep") };
  return { id: created.body.company.id, legalRep, admin, deptHead, employee, auditor, custodian, reviewer, outsider, seal: { id: seal.id, ...keys }, scenarios };
}

export async function ok<T = any>(reply: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`expected success, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export function grantBody(member: string, seal: string, scenarios: string[], extra: Record<string, unknown> = {}) {
  const now = Date.now();
  return { member, seal, scenarios, validFrom: new Date(now - 60_000).toISOString(), validTo: new Date(now + 86_400_000).toISOString(), ...extra };
}

export function documentHash(text: string): string {
  return toHex(sm3(Buffer.from(text)));
}

export function signedUsage(tbs: Omit<UsageTbs, "v" | "signedAt"> & { signedAt?: string }, privateKey: string): { tbs: UsageTbs; signature: string } {
  const full: UsageTbs = { v: 1, signedAt: new Date().toISOString(), ...tbs };
  return { tbs: full, signature: sm2Sign(usageTbsBytes(full), privateKey) };
}

/** Reserves a receipt id and submits a usage signed with `privateKey`; returns the raw reply. */
export async function useSeal(svc: Client, who: Person, seal: { id: string; privateKey: string }, scenario: string, options: { request?: string | null; document?: string } = {}) {
  const reservation = await ok(svc.call("POST", "/api/v1/usages/reservations", { token: who.token, body: { seal: seal.id } }));
  const usage = signedUsage({ receipt: reservation.receipt, seal: seal.id, signer: who.id, documentHash: documentHash(options.document ?? "contract.pdf"), scenario, request: options.request ?? null }, seal.privateKey);
  return svc.call("POST", "/api/v1/usages", { token: who.token, body: usage });
}

/** Adds a member with `roles` as `by` (the legal representative unless said otherwise); returns their id and first key. */
export async function addPerson(svc: Client, by: Person, roles: string[], department: string | null = "sales"): Promise<Person> {
  const r = await ok(svc.call("POST", "/api/v1/members", { token: by.token, body: { name: `member ${roles.join("+")}`, roles, department } }));
  return { id: r.member.id, token: r.apiKey.secret };
}

export interface TestDevice {
  id: string;
  /** The device credential, shown once at enrolment. */
  credential: string;
  /** The key pair "made inside the device": the test signs as the device with it. */
  keys: { privateKey: string; publicKey: string };
  commandPublicKey: string;
}

/** Enrols a smart-seal device with a fresh SM2 key pair as `by` (a seal_admin or legal_rep). */
export async function enrolDevice(svc: Client, by: Person, serial = `SN-${Math.random().toString(36).slice(2, 12)}`): Promise<TestDevice> {
  const keys = generateSm2KeyPair();
  const r = await ok(svc.call("POST", "/api/v1/devices", { token: by.token, body: { serial, model: "SP-100", publicKey: keys.publicKey } }));
  return { id: r.device.id, credential: r.credential.secret, keys, commandPublicKey: r.commandPublicKey };
}

/** Registers a physical seal (公章) under the company's custodian and reviewer onto `device` (a newly enrolled one unless given); returns its id. */
export async function physicalSeal(svc: Client, co: TestCompany, device?: string): Promise<string> {
  const onto = device ?? (await enrolDevice(svc, co.admin)).id;
  const seal = await ok(svc.call("POST", "/api/v1/seals", { token: co.admin.token, body: { kind: "physical", type: "official", name: "公章", device: onto, custodian: co.custodian.id, reviewer: co.reviewer.id } }));
  return seal.id as string;
}

/** Creates a seal use request for `seal` and `scenario` as `requester`; returns its id. */
export async function requestUse(svc: Client, requester: Person, seal: string, scenario: string, document = String(Math.random())): Promise<string> {
  const request = await ok(svc.call("POST", "/api/v1/requests", { token: requester.token, body: { seal, scenario, documentHash: documentHash(document), title: "t", reason: "r" } }));
  return request.id as string;
}
