// The domain's document kinds as the store is opened with them: unique keys, the fields lists find documents by, and
// expiry. Adding a kind is adding a row here (and its type in model.ts).
import { kind, type DocumentOf, type Schema } from "../store/schema";
import type { Repositories as RepositoriesOf, Store as StoreOf, Tx as TxOf } from "../store/port";
import type { ApiKey, Company, Device, Grant, Member, Reservation, Scenario, Seal, SealRequest } from "./model";
import { ALERT_SCHEMA } from "../alerts/schema";
import { DOCUMENT_SCHEMA } from "../documents/schema";

/** How long after a reservation expires it is kept, so a late submit learns RESERVATION_EXPIRED rather than NOT_FOUND. */
export const RESERVATION_KEPT_AFTER_EXPIRY_MS = 3_600_000;

export const DOMAIN_SCHEMA = {
  companies: kind<Company>({ label: "company", uniqueKeys: (c) => [`creditCode:${c.creditCode}`] }),
  members: kind<Member>({ label: "member" }),
  // Grants, requests, API keys and reservations are looked up by member on every usage.
  apiKeys: kind<ApiKey>({ label: "API key", uniqueKeys: (k) => [`hash:${k.hash}`], indexed: ["member"] }),
  seals: kind<Seal>({ label: "seal" }),
  // A serial is unique within its company (another company's enrolment must not be learned from a refusal); a device
  // authenticates by its credential's hash.
  devices: kind<Device>({ label: "device", uniqueKeys: (d) => [`serial:${d.company}:${d.serial}`, `credential:${d.credentialHash}`] }),
  scenarios: kind<Scenario>({ label: "scenario", uniqueKeys: (s) => [`code:${s.company}:${s.code}`] }),
  grants: kind<Grant>({ label: "grant", indexed: ["member"] }),
  requests: kind<SealRequest>({ label: "request", indexed: ["member"] }),
  reservations: kind<Reservation>({ label: "reservation", indexed: ["member"], expires: { field: "expiresAt", afterMs: RESERVATION_KEPT_AFTER_EXPIRY_MS } }),
  // Alerts, webhooks and their deliveries: here because every transaction that raises an alert writes them.
  ...ALERT_SCHEMA,
  // Linked documents: here because a link is checked against usages of both kinds, electronic and physical.
  ...DOCUMENT_SCHEMA,
} satisfies Schema;

export type DomainSchema = typeof DOMAIN_SCHEMA;
export type DomainKind = keyof DomainSchema;
export type DomainDocument<K extends DomainKind> = DocumentOf<DomainSchema, K>;
/** The store as the domain sees it: its own kinds (the store may hold others beside them). */
export type Store = StoreOf<DomainSchema>;
export type Tx = TxOf<DomainSchema>;
export type Repositories = RepositoriesOf<DomainSchema>;
