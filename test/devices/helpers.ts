// Shortcuts for the device tests: a company's records of one type as the store holds them, accepted or sequenced;
// messages signed as a device would sign them; a device unlocked through request, approval and dual custody.
import { randomBytes } from "node:crypto";
import { documentHash, enrolDevice, grantBody, ok, physicalSeal, type Person, type TestCompany, type TestDevice } from "../helpers/company";
import { signDeviceMessage, type DeviceMessage } from "../../service/evidence/device-message";
import { locationCommitment, type StampLocation } from "../../service/evidence/stamp";
import type { Call, TestService } from "../helpers/service";
import type { EvidenceRecord, JsonValue } from "../../service/evidence";

type Client = { call: Call };

export type LoggedData = Pick<EvidenceRecord, "type" | "subject" | "actor" | "data" | "company">;

/** The company's records of `type` (all of them, sequenced or not), oldest first. */
export async function recordsOf(svc: TestService, company: string, type?: string): Promise<LoggedData[]> {
  const found: LoggedData[] = [];
  let after: string | undefined;
  do {
    const page = await svc.store.records.page({ company, ...(type ? { type } : {}) }, { limit: 1000, after });
    // The log hands out records wrapped with their id once records are accepted before they are sequenced.
    found.push(...(page.items as unknown[]).map((item) => (typeof item === "object" && item !== null && "record" in item ? (item as { record: LoggedData }).record : (item as LoggedData))));
    after = page.next ?? undefined;
  } while (after !== undefined);
  return found;
}

/** A device's message signed with its key; a stamp's location goes beside the signed body, as `location` with its salt. */
export function deviceMessage(device: TestDevice, n: number, type: string, body: { [key: string]: JsonValue }, options: { at?: Date; key?: string; location?: unknown } = {}): DeviceMessage & { location?: unknown } {
  const signed = signDeviceMessage({ v: 1, device: device.id, n, type, at: (options.at ?? new Date()).toISOString(), body }, options.key ?? device.keys.privateKey);
  return options.location === undefined ? signed : { ...signed, location: options.location };
}

export interface StampOptions {
  authorization?: string | null;
  receipt?: string | null;
  /** Where the stamp was made: committed to in the signed body and disclosed beside it (unless `disclose` is false). */
  location?: StampLocation | null;
  disclose?: boolean;
  at?: Date;
  /** The SM3 of the photo the device took (hex); a fixed hash unless given. */
  photoHash?: string | null;
}

/** A `stamp` message as a smart seal makes it: it signs SM3(salt ‖ location), never the location. */
export function stampMessage(device: TestDevice, n: number, stampNo: number, options: StampOptions = {}): DeviceMessage & { location?: unknown } {
  const location = options.location === undefined ? { lat: 31.2304, lng: 121.4737, accuracyM: 12 } : options.location;
  const salt = randomBytes(16);
  const body = {
    stampNo, authorization: options.authorization ?? null, receipt: options.receipt ?? null, operator: { method: "fingerprint", ref: "op-7" },
    locationCommitment: location === null ? null : locationCommitment(salt, location), photoHash: options.photoHash === undefined ? "ab".repeat(32) : options.photoHash,
  };
  const disclosed = location !== null && options.disclose !== false ? { ...location, salt: salt.toString("hex") } : undefined;
  return deviceMessage(device, n, "stamp", body, { at: options.at, location: disclosed });
}

export interface UnlockedDevice extends TestDevice {
  seal: string;
  request: string;
  authorization: string;
  receipts: string[];
  /** The next message number the device will use. */
  next: number;
}

/**
 * A device holding a physical seal, unlocked the way the product does it: the requester (the employee unless said
 * otherwise) asks for `copies` copies, the legal representative approves, the reviewer and then the custodian confirm custody.
 */
export async function unlockedDevice(
  svc: Client, co: TestCompany, request: { copies?: number; windowMinutes?: number; geofence?: unknown } = {}, sealed?: { device: TestDevice; seal: string }, requester: Person = co.employee,
): Promise<UnlockedDevice> {
  const enrolled = sealed?.device ?? (await enrolDevice(svc, co.admin));
  const seal = sealed?.seal ?? (await physicalSeal(svc, co, enrolled.id));
  await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(requester.id, seal, [co.scenarios.deptHead]) }));
  const asked = await ok(svc.call("POST", "/api/v1/requests", { token: requester.token, body: { seal, scenario: co.scenarios.deptHead, documentHash: documentHash(String(Math.random())), title: "t", reason: "r", copies: request.copies ?? 1, ...request } }));
  await ok(svc.call("POST", `/api/v1/requests/${asked.id}/approve`, { token: co.legalRep.token }));
  await ok(svc.call("POST", `/api/v1/requests/${asked.id}/confirm-custody`, { token: co.reviewer.token }));
  const confirmed = await ok(svc.call("POST", `/api/v1/requests/${asked.id}/confirm-custody`, { token: co.custodian.token }));
  const authorization = await ok(svc.call("GET", `/api/v1/authorizations/${confirmed.authorization}`, { token: requester.token }));
  return { ...enrolled, seal, request: asked.id, authorization: authorization.id, receipts: authorization.receipts, next: 0 };
}
