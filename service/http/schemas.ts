// Request schemas (zod), validated at the edge: strict objects, so unknown fields and operator-style
// objects are refused before the domain sees them.
import { z } from "zod";
import { APPROVAL_LEVELS, ROLES, SEAL_KINDS, SEAL_TYPES } from "../domain/model";
import { ALERT_SEVERITIES } from "../alerts/codes";
import { ALERT_STATES } from "../alerts/model";

/**
 * Names and titles are shown to other people, some publicly on the verify page: no control characters,
 * no invisible formatting (zero-width, BOM, soft hyphen) and no bidirectional overrides or isolates,
 * which can make one name display as another. Only a free-text field may opt in to line breaks.
 */
const DISALLOWED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const DISALLOWED_IN_MULTILINE = /(?![\n])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
export const DISALLOWED_CHARACTERS = "DISALLOWED_CHARACTERS";

const text = (max: number, options: { multiline?: boolean } = {}) => {
  const disallowed = options.multiline ? DISALLOWED_IN_MULTILINE : DISALLOWED;
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const found = disallowed.exec(value);
      if (found === null) return;
      const codePoint = `U+${(found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      ctx.addIssue({
        code: "custom",
        input: value,
        params: { code: DISALLOWED_CHARACTERS },
        message: `${codePoint} at position ${found.index} is a control, invisible formatting or text-direction character, which names may not contain`,
      });
    });
};
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[1-9A-HJ-NP-Za-km-z]{8,24}$`), `expected a ${prefix}_… id`);
export const hash32 = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex characters (SM3)");
const isoTime = z.iso.datetime({ offset: false, precision: 3 });
const department = z.string().trim().min(1).max(64).nullable().default(null);
/** A circle where a physical seal may be stamped: its centre and radius (10 m to 100 km). */
export const geofence = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), radiusM: z.number().min(10).max(100_000) });

export const ids = {
  company: id("c"),
  member: id("m"),
  key: id("k"),
  seal: id("s"),
  scenario: id("sc"),
  grant: id("g"),
  request: id("r"),
  device: id("d"),
  authorization: id("au"),
  manualStamp: id("ms"),
  receipt: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{16,24}$/, "expected a base58 receipt id"),
  alert: id("al"),
  webhook: id("wh"),
  /** A record id: base58 (SQLite: the acceptance position; MongoDB: random), or "0" and the seq for records sequenced before records had ids. */
  record: z.string().regex(/^rec_(0[0-9]{1,16}|[1-9A-HJ-NP-Za-km-z]{1,24})$/, "expected a record id (rec_…)"),
};

export const createCompanyBody = z.strictObject({
  name: text(200),
  creditCode: z.string().regex(/^[0-9A-Z]{18}$/, "expected an 18-character unified social credit code"),
  legalRep: z.strictObject({ name: text(100), idNumber: z.string().regex(/^\d{17}[\dX]$/, "expected an 18-character resident ID number") }),
});

export const addMemberBody = z.strictObject({ name: text(100), roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length), department });
export const changeRolesBody = z.strictObject({ roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length), department });

export const registerSealBody = z.strictObject({
  kind: z.enum(SEAL_KINDS),
  type: z.enum(SEAL_TYPES),
  name: text(100),
  imageHash: hash32.nullable().default(null),
  department,
  publicKey: z.string().regex(/^04[0-9a-f]{128}$/, "expected an uncompressed SM2 public key, 130 lowercase hex").optional(),
  device: ids.device.optional(),
  custodian: ids.member.optional(),
  reviewer: ids.member.optional(),
  geofence: geofence.optional(),
});

export const enrolDeviceBody = z.strictObject({
  serial: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, "expected 1-64 letters, digits, . _ : - (starting with a letter or digit)"),
  model: text(100),
  publicKey: z.string().regex(/^04[0-9a-f]{128}$/, "expected an uncompressed SM2 public key, 130 lowercase hex"),
});

export const defineScenarioBody = z.strictObject({
  code: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "expected 1-40 letters, digits, _ . -"),
  name: text(100),
  sealKinds: z.array(z.enum(SEAL_KINDS)).min(1).max(SEAL_KINDS.length),
  sealTypes: z.array(z.enum(SEAL_TYPES)).min(1).max(SEAL_TYPES.length),
  approval: z.enum(APPROVAL_LEVELS),
  dualControl: z.boolean().default(false),
  publicPhotos: z.boolean().default(false).describe("Show the photos of this scenario's stamps on the public verify page"),
});

export const giveGrantBody = z.strictObject({
  member: ids.member,
  seal: ids.seal,
  scenarios: z.array(ids.scenario).min(1).max(50),
  validFrom: isoTime,
  validTo: isoTime,
  useLimit: z.number().int().min(1).max(1_000_000_000).nullable().default(null),
});

export const createRequestBody = z.strictObject({
  seal: ids.seal,
  scenario: ids.scenario,
  documentHash: hash32,
  title: text(200),
  reason: text(1000, { multiline: true }),
  copies: z.number().int().min(1).max(1000).default(1),
  /** Physical seals: how long the device authorization stays open (default 120). */
  windowMinutes: z.number().int().min(5).max(1440).optional(),
  /** Physical seals: where the copies may be stamped, instead of the seal's geofence. */
  geofence: geofence.optional(),
});

export const reserveBody = z.strictObject({ seal: ids.seal });

export const usageTbs = z.strictObject({
  v: z.literal(1),
  receipt: ids.receipt,
  seal: ids.seal,
  signer: ids.member,
  signedAt: isoTime,
  documentHash: hash32,
  scenario: ids.scenario,
  request: ids.request.nullable(),
  /** The approved original's SM3 when the sealed file is a stamped copy of it: signed, so it is the signer's claim. */
  sourceDocumentHash: hash32.optional(),
});

export const submitUsageBody = z.strictObject({
  tbs: usageTbs,
  signature: z.string().regex(/^[0-9a-f]{128}$/, "expected r‖s as 128 lowercase hex"),
});

export const recordsQuery = z.strictObject({
  fromSeq: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** A page of a list: `after` is the `next` cursor of the page before; at most `limit` items (default 100, at most 1000). */
export const pageQuery = z.strictObject({
  after: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const recordIdParam = z.strictObject({ id: ids.record });

export const seqParam = z.strictObject({ seq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

/** Alerts: a page, narrowed by any of severity, state, seal and device. */
export const alertsQuery = pageQuery.extend({
  severity: z.enum(ALERT_SEVERITIES).optional(),
  state: z.enum(ALERT_STATES).optional(),
  seal: ids.seal.optional(),
  device: ids.device.optional(),
});
export const resolveAlertBody = z.strictObject({ note: text(2000, { multiline: true }) });

export const createWebhookBody = z.strictObject({
  url: z.string().max(2048),
  severities: z.array(z.enum(ALERT_SEVERITIES)).min(1).max(ALERT_SEVERITIES.length),
});
