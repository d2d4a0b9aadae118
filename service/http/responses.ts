// Response schemas (zod): what each route answers on success. The OpenAPI document describes them, and an Api
// that checks responses (tests) refuses to send an answer that does not match. Views of stored documents are
// strict objects, so a field that should never leave the store (an ID number, a key hash) fails the check.
import { z } from "zod";
import { APPROVAL_LEVELS, DEVICE_STATUSES, REQUEST_STATUSES, ROLES, SEAL_KINDS, SEAL_STATUSES, SEAL_TYPES } from "../domain/model";
import { geofence, hash32, ids } from "./schemas";
import { AUTHORIZATION_STATUSES } from "../devices/schema";
import { ALERT_SEVERITIES } from "../alerts/codes";
import { ALERT_STATES } from "../alerts/model";
import { DELIVERY_STATES } from "../webhooks/model";
import { PHOTO_TYPES, photoTypeOf } from "../devices/photos";
import { LOCATION_DISCLOSURE_FORMAT } from "../evidence/location-disclosure";
import { LINKED_DOCUMENT_ROLES } from "../evidence";

const time = z.iso.datetime({ offset: false });
const seq = z.number().int().min(0);
const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const company = z.strictObject({
  id: ids.company,
  name: z.string(),
  creditCode: z.string(),
  legalRepName: z.string(),
  registryCheck: z.strictObject({ checkedAt: time, method: z.string(), ok: z.boolean(), note: z.string() }),
  createdAt: time,
});

export const member = z.strictObject({
  id: ids.member,
  company: ids.company,
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  department: z.string().nullable(),
  active: z.boolean(),
  createdAt: time,
});

/** A newly issued key: the secret is in this answer and nowhere else. */
export const issuedKey = z.strictObject({ id: ids.key, secret: z.string(), prefix: z.string() });
export const keyView = z.strictObject({ id: ids.key, member: ids.member, prefix: z.string(), revoked: z.boolean(), createdAt: time });

export const createdCompany = z.strictObject({ company, legalRep: member, apiKey: issuedKey });
export const addedMember = z.strictObject({ member, apiKey: issuedKey });

export const seal = z.strictObject({
  id: ids.seal,
  company: ids.company,
  kind: z.enum(SEAL_KINDS),
  type: z.enum(SEAL_TYPES),
  name: z.string(),
  status: z.enum(SEAL_STATUSES),
  imageHash: hash32.nullable(),
  publicKey: z.string().nullable(),
  device: z.string().nullable(),
  custodian: ids.member.nullable(),
  reviewer: ids.member.nullable(),
  department: z.string().nullable(),
  replaces: ids.seal.nullable(),
  replacedBy: ids.seal.nullable(),
  geofence: geofence.nullable().optional(),
  /** The id of its seal.registered record; seals registered before records had ids give that record's seq instead. */
  registrationRecord: ids.record.optional(),
  registeredSeq: seq.optional(),
  createdAt: time,
});
export const replacedSeal = z.strictObject({ old: seal, replacement: seal });

export const scenario = z.strictObject({
  id: ids.scenario,
  company: ids.company,
  code: z.string(),
  name: z.string(),
  sealKinds: z.array(z.enum(SEAL_KINDS)),
  sealTypes: z.array(z.enum(SEAL_TYPES)),
  approval: z.enum(APPROVAL_LEVELS),
  dualControl: z.boolean(),
  publicPhotos: z.boolean(),
  createdAt: time,
});

export const grant = z.strictObject({
  id: ids.grant,
  company: ids.company,
  member: ids.member,
  seal: ids.seal,
  scenarios: z.array(ids.scenario),
  validFrom: time,
  validTo: time,
  useLimit: z.number().int().nullable(),
  uses: z.number().int().min(0),
  givenBy: ids.member,
  parent: ids.grant.nullable().optional(),
  withdrawn: z.boolean(),
  createdAt: time,
});

export const sealRequest = z.strictObject({
  id: ids.request,
  company: ids.company,
  member: ids.member,
  seal: ids.seal,
  scenario: ids.scenario,
  documentHash: hash32,
  title: z.string(),
  reason: z.string(),
  copies: z.number().int().min(1),
  status: z.enum(REQUEST_STATUSES),
  decidedBy: ids.member.nullable(),
  custodyConfirmedBy: z.array(ids.member),
  windowMinutes: z.number().int().optional(),
  geofence: geofence.nullable().optional(),
  /** The device authorization issued once custody was confirmed twice. */
  authorization: ids.authorization.optional(),
  createdAt: time,
});

export const reservation = z.strictObject({ receipt: ids.receipt, seal: ids.seal, expiresAt: time, verifyUrl: z.url() });

/**
 * An evidence record; its data is checked by its type's spec in evidence/, not here. v2 records (all written since
 * the company chain) carry cseq and prev; v1 records do not.
 */
export const evidenceRecord = z.strictObject({
  v: z.number().int(),
  seq,
  cseq: z.number().int().min(0).optional().describe("v2: the record's place among its company's records, from 0"),
  prev: hash32.optional().describe("v2: the SM3 leaf hash of the company's previous record, 64 zeros for its first"),
  type: z.string(),
  at: time,
  company: z.string(),
  subject: z.string(),
  actor: z.string(),
  data: z.record(z.string(), z.json()),
});

/** A record as the log holds it: its seq is null from acceptance until the sequencer numbers it, within a batch interval. */
export const acceptedRecord = evidenceRecord.extend({ seq: seq.nullable(), cseq: evidenceRecord.shape.cseq.nullable(), prev: evidenceRecord.shape.prev.nullable() });
export const loggedRecord = z.strictObject({ id: ids.record, record: acceptedRecord });

/** A usage as recorded: accepted, its seq to come (read it later by id: GET /records/by-id/{id}). */
export const usage = z.strictObject({ id: ids.record, receipt: ids.receipt, record: acceptedRecord });
/** A file linked to a usage: its document.linked record; `created` false when the same file was linked in that role before. */
export const documentLink = z.strictObject({ id: ids.record, receipt: ids.receipt, role: z.enum(LINKED_DOCUMENT_ROLES), hash: hash32, created: z.boolean(), record: acceptedRecord });

export const receiptBundle = z.strictObject({
  format: z.literal("sealproof-receipt/1"),
  record: evidenceRecord,
  proof: z.strictObject({ leafIndex: seq, treeSize: z.number().int().min(1), leaf: hex32, path: z.array(hex32) }),
  batch: z.strictObject({ id: z.number().int().min(0), root: hex32, firstSeq: seq, count: z.number().int().min(1) }),
  anchor: z.strictObject({
    chainId: z.number().int().min(0),
    contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    blockNumber: z.number().int().min(0),
  }),
  hash: z.literal("sm3"),
});

/** A receipt by receipt id or seq: anchored with its bundle, or pending; a usage's comes with its seal's registration. */
export const receiptView = z.strictObject({
  status: z.enum(["anchored", "pending"]),
  receipt: receiptBundle.optional(),
  sealReceipt: receiptBundle.optional(),
  companyReceipt: receiptBundle.optional(),
  /** Public facts about the seal as the service knows it now (public receipt route only). */
  seal: z.strictObject({ company: z.string(), name: z.string(), kind: z.string(), type: z.string(), status: z.string() }).optional(),
  /** A usage's or stamp's anchored `document.linked` receipts: the scan of the stamped page, the final PDF, a print. */
  documents: z.array(receiptBundle).optional(),
  /** A stamp's device's `device.registered` receipt (public receipt route only). */
  deviceReceipt: receiptBundle.optional(),
  /** An authorized stamp's story, each anchored record's receipt (public receipt route only). */
  story: z
    .strictObject({ request: receiptBundle.optional(), approval: receiptBundle.optional(), custody: z.array(receiptBundle), authorization: receiptBundle.optional() })
    .optional(),
  /** Where the stamp's photo is published, when its scenario publishes photos; it answers 404 once the photo is erased or until it is uploaded. */
  photo: z.strictObject({ url: z.string() }).optional(),
});

export const recordsPage = z.strictObject({ records: z.array(evidenceRecord), nextFromSeq: seq.nullable() });
export const receiptsPage = z.strictObject({
  receipts: z.array(z.union([z.strictObject({ seq, status: z.literal("anchored"), receipt: receiptBundle }), z.strictObject({ seq, status: z.literal("pending") })])),
  nextFromSeq: seq.nullable(),
});

/** The cursor of the next page, to pass back as `after`; null on the last page. */
const next = z.string().nullable();
export const membersPage = z.strictObject({ members: z.array(member), next });
export const keysPage = z.strictObject({ keys: z.array(keyView), next });
export const sealsPage = z.strictObject({ seals: z.array(seal), next });
export const scenariosPage = z.strictObject({ scenarios: z.array(scenario), next });
export const grantsPage = z.strictObject({ grants: z.array(grant), next });
export const requestsPage = z.strictObject({ requests: z.array(sealRequest), next });

/** Bodies of the QR routes: an SVG document, or PNG bytes. */
export const svgImage = z.string().regex(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const pngImage = z.instanceof(Uint8Array).refine((b) => PNG_SIGNATURE.every((byte, i) => b[i] === byte), "expected PNG bytes");

/** A smart-seal device as members see it: never the hash of its credential. */
export const device = z.strictObject({
  id: ids.device,
  company: ids.company,
  serial: z.string(),
  model: z.string(),
  publicKey: z.string(),
  status: z.enum(DEVICE_STATUSES),
  credentialPrefix: z.string(),
  seal: ids.seal.nullable(),
  lastN: z.number().int().min(-1),
  lastStampNo: z.number().int().min(0).nullable(),
  lastSeenAt: time.nullable(),
  commandN: z.number().int().min(-1),
  /** On reads: whether its MQTT session is open, and since when (null for a device never connected over MQTT). */
  presence: z.strictObject({ connected: z.boolean(), since: time.nullable() }).optional(),
  outOfOrderSince: time.nullable().optional(),
  createdAt: time,
});
export const devicesPage = z.strictObject({ devices: z.array(device), next });
/** A newly enrolled device: its credential is in this answer and nowhere else; the command key is what it obeys. */
export const enrolledDevice = z.strictObject({ device, credential: z.strictObject({ secret: z.string(), prefix: z.string() }), commandPublicKey: z.string() });

/** A signed device message or command: {v, device, n, type, at, body, sig}. */
const deviceMessage = z.strictObject({ v: z.literal(1), device: ids.device, n: z.number().int().min(0), type: z.string(), at: z.string(), body: z.record(z.string(), z.json()), sig: z.string().regex(/^[0-9a-f]{128}$/) });
/** A device authorization: the receipt ids reserved for the copies' QR codes, and those stamped under already. */
export const authorization = z.strictObject({
  id: ids.authorization,
  company: ids.company,
  device: ids.device,
  seal: ids.seal,
  request: ids.request,
  operator: ids.member,
  copies: z.number().int().min(1),
  receipts: z.array(ids.receipt),
  usedReceipts: z.array(ids.receipt),
  validFrom: time,
  validUntil: time,
  geofence: geofence.nullable(),
  status: z.enum(AUTHORIZATION_STATUSES),
  closedAt: time.nullable(),
  issuedRecord: ids.record,
  createdAt: time,
});
/** A dual-control unlock after one half or both. */
export const deviceUnlock = z.strictObject({ device, complete: z.boolean(), halves: z.array(z.strictObject({ member: ids.member, side: z.enum(["admin", "reviewer", "custodian"]) })) });
/** A stamp made without the device: pending its second confirmation, or recorded. */
export const manualStamp = z.strictObject({
  id: ids.manualStamp,
  device: ids.device,
  authorization: ids.authorization,
  receipt: ids.receipt.nullable(),
  status: z.enum(["pending", "recorded"]),
  confirmedBy: z.array(ids.member),
  record: ids.record.nullable(),
});

export const deviceMessagesTaken = z.strictObject({
  results: z.array(
    z.strictObject({
      index: z.number().int().min(0),
      n: z.number().int().min(0).nullable(),
      status: z.enum(["accepted", "duplicate", "refused"]),
      code: z.enum(["MESSAGE_INVALID", "DEVICE_MISMATCH", "SIGNATURE_INVALID", "N_NOT_RISING", "REPLAYED"]).optional(),
    }),
  ),
  commands: z.array(deviceMessage),
});

/** An alert as members (or, for the system's, the operator) see it; `resolution` is the resolver's note. */
export const alert = z.strictObject({
  id: ids.alert,
  company: z.string(),
  code: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  subject: z.string(),
  seal: ids.seal.nullable(),
  device: ids.device.nullable(),
  record: ids.record,
  data: z.record(z.string(), z.json()),
  state: z.enum(ALERT_STATES),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: time.nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: time.nullable(),
  resolution: z.string().nullable(),
  createdAt: time,
});
export const alertsPage = z.strictObject({ alerts: z.array(alert), next });

/** A webhook as members see it: never its secret, which only the answer to its creation carries. */
export const webhook = z.strictObject({
  id: ids.webhook,
  company: ids.company,
  url: z.url(),
  severities: z.array(z.enum(ALERT_SEVERITIES)),
  secretPrefix: z.string(),
  createdBy: ids.member,
  createdAt: time,
});
export const webhooksPage = z.strictObject({ webhooks: z.array(webhook), next });
export const createdWebhook = z.strictObject({ webhook, secret: z.string() });
const deliveryLog = {
  id: z.string(),
  company: ids.company,
  webhook: ids.webhook,
  state: z.enum(DELIVERY_STATES),
  attempts: z.number().int().min(0),
  lastAttemptAt: time.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: time.nullable(),
  createdAt: time,
};
/** An alert's delivery names the alert; a monthly report's names the report's receipt id. */
export const webhookDelivery = z.discriminatedUnion("event", [
  z.strictObject({ ...deliveryLog, event: z.literal("alert.raised"), alert: ids.alert }),
  z.strictObject({ ...deliveryLog, event: z.literal("audit.report-issued"), receipt: ids.receipt }),
]);
export const webhookDeliveriesPage = z.strictObject({ deliveries: z.array(webhookDelivery), next });

/** A stamp photo the device uploaded: its type by its leading bytes, its size, and the stamps (by `n`) that carry its hash. */
export const photoStored = z.strictObject({ device: ids.device, photoHash: hex32, type: z.enum(PHOTO_TYPES), bytes: z.number().int().min(1), stamps: z.array(z.number().int().min(0)) });
/** A JPEG or PNG stamp photo, by its leading bytes. */
export const photoImage = z.instanceof(Uint8Array).refine((b) => photoTypeOf(b) !== null, "expected JPEG or PNG bytes");
/** An erasure of a stamp's photo or location: when, and the id of its record (stamp.photo-erased, stamp.location-erased). */
export const photoErased = z.strictObject({ device: ids.device, photoHash: hex32, erasedAt: time, record: ids.record });
export const locationErased = z.strictObject({ device: ids.device, n: z.number().int().min(0), erasedAt: time, record: ids.record });
/** sealproof-location-disclosure/1: the location and salt with the receipts that prove them (evidence/location-disclosure.ts). */
export const locationDisclosure = z.strictObject({
  format: z.literal(LOCATION_DISCLOSURE_FORMAT),
  device: ids.device,
  n: z.number().int().min(0),
  location: z.strictObject({ lat: z.number(), lng: z.number(), accuracyM: z.number() }),
  salt: z.string().regex(/^[0-9a-f]+$/),
  disclosedAt: time,
  receipt: receiptBundle,
  deviceReceipt: receiptBundle.nullable(),
  companyReceipt: receiptBundle.nullable(),
});
