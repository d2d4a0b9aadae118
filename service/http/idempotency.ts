// Idempotency-Key on POST: a retry with the same key and body learns the first request's outcome and writes nothing.
//
// http owns this: its entry type, its kind (IDEMPOTENCY_SCHEMA, merged with the domain's when the store is opened in
// main.ts) and the small port below over the generic store. The entry is the guard of the request's write
// (Store.guarded): inserted in the same transaction, naming what that write created; the response is stored in it
// afterwards, and the store purges it when it expires. So a crash can never separate a write from its entry:
// a retry finds the entry and gets the stored response, or, when the service died before storing it, a 409 that
// names what the first request created. A retry racing its original waits for it in the same process; across
// processes the key itself refuses the retry's write, before any of it lands. A request refused before writing
// leaves no entry, so a corrected retry may reuse the key. Storing the response is not awaited: the client's answer
// waits for one durable commit, as without a key.
import { createHash } from "node:crypto";
import { ApiError } from "./errors";
import { GuardTakenError, type CreatedByWrite, type Store } from "../store/port";
import { holdsKinds, kind, type Schema } from "../store/schema";

/**
 * The outcome of the first request made with an idempotency key. It is inserted in the same transaction as the
 * request's write, with `created` naming what that write made, and `status` 0 and `body` "" until the response is
 * stored; a crash in between leaves an entry that still says what happened.
 */
export interface IdempotencyEntry {
  id: string;
  company: string;
  /** The method, path and body the key was first used with. */
  fingerprint: string;
  /** The response's HTTP status, or 0 while only the write is known. */
  status: number;
  /** The response's JSON body, or "" while only the write is known. */
  body: string;
  /** Absent on entries written before the write and its entry shared a transaction. */
  created?: CreatedByWrite[];
  createdAt: string;
  expiresAt: string;
}

/** http's document kind: entries are unique by id (the key's digest) and purged when they expire. */
export const IDEMPOTENCY_SCHEMA = {
  idempotency: kind<IdempotencyEntry>({ label: "idempotency entry", uniqueKeys: (e) => [`key:${e.id}`], expires: { field: "expiresAt", afterMs: 0 } }),
} satisfies Schema;

/** What the HTTP layer needs of a store for idempotency. */
export interface IdempotencyPort {
  find(id: string): Promise<IdempotencyEntry | null>;
  /**
   * Runs `run` so that its first write also inserts `entry` in the same transaction (see Store.guarded); resolves
   * with run's value and whether the entry was written. Fails with GuardTakenError when the key is taken.
   */
  claim<T>(entry: IdempotencyEntry, run: () => Promise<T>): Promise<{ value: T; written: boolean }>;
  /** Stores the response in the entry its write inserted, or inserts the entry with it when the request wrote nothing. */
  keepResponse(entry: IdempotencyEntry, response: Pick<IdempotencyEntry, "status" | "body">, written: boolean): Promise<void>;
}

/** The port over a store opened with IDEMPOTENCY_SCHEMA; a store without it is a wiring error, said at once. */
export function idempotencyOf(opened: Store): IdempotencyPort {
  if (!holdsKinds(opened, IDEMPOTENCY_SCHEMA)) throw new Error("the store was not opened with http's IDEMPOTENCY_SCHEMA");
  const store: Store<typeof IDEMPOTENCY_SCHEMA> = opened;
  const entries = store.idempotency;
  return {
    find: (id) => entries.get(id),
    claim: (entry, run) => store.guarded({ kind: "idempotency", id: entry.id, document: (created) => ({ ...entry, created }) }, run),
    keepResponse: (entry, response, written) =>
      written ? store.transaction(async (tx) => tx.idempotency.update({ ...((await tx.idempotency.get(entry.id)) ?? entry), ...response })) : entries.insert({ ...entry, ...response }),
  };
}

const KEY_RE = /^[\x21-\x7e]{1,128}$/;
/** `status` of an entry whose write is stored but whose response is not (yet). */
const NO_RESPONSE = 0;
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/**
 * How long after its write an entry without a response may still get one: the node that made the write stores the
 * response milliseconds later, so a retry on another node in that moment is told to retry, not that the response
 * was lost. Past this, the node is taken to have stopped first.
 */
export const RESPONSE_GRACE_MS = 10_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Keyed requests this process is running, by entry id, settled once the response is stored or the request failed. */
const running = new Map<string, Promise<void>>();

export async function withIdempotency(
  store: IdempotencyPort,
  scope: { company: string; principal: string },
  key: string | undefined,
  request: { method: string; path: string; body: unknown },
  run: () => Promise<StoredResponse>,
  redact: (body: unknown) => unknown = (body) => body,
): Promise<StoredResponse> {
  if (key === undefined) return run();
  if (!KEY_RE.test(key)) throw new ApiError(400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key must be 1-128 visible ASCII characters");
  const id = digest(`${scope.principal}\n${key}`);
  const fingerprint = digest(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`);
  const original = running.get(id);
  if (original !== undefined) {
    // A retry while this process still runs the original: wait for it, then answer as it was answered.
    await original;
    return withIdempotency(store, scope, key, request, run, redact);
  }
  const earlier = await store.find(id);
  if (earlier !== null) return replay(store, earlier, fingerprint);
  let settle = () => {};
  running.set(id, new Promise<void>((resolve) => (settle = resolve)));
  const done = () => {
    running.delete(id);
    settle();
  };
  const now = new Date();
  const entry: IdempotencyEntry = { id, company: scope.company, fingerprint, status: NO_RESPONSE, body: "", createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS).toISOString() };
  let outcome: { value: StoredResponse; written: boolean };
  try {
    outcome = await store.claim(entry, run);
  } catch (err) {
    done();
    if (err instanceof GuardTakenError) return replay(store, await store.find(id), fingerprint);
    throw err;
  }
  const response = outcome.value;
  // The entry came with the write (its `created` is in the store only); a request that wrote nothing gets one now,
  // so that its retries are answered alike. If this is lost, a retry learns the outcome from the entry as it is.
  const saving = store.keepResponse(entry, { status: response.status, body: JSON.stringify(redact(response.body)) }, outcome.written);
  void saving.catch(() => undefined).finally(done);
  return response;
}

async function replay(store: IdempotencyPort, found: IdempotencyEntry | null, fingerprint: string): Promise<StoredResponse> {
  let entry = found;
  if (entry !== null && entry.status === NO_RESPONSE && running.has(entry.id)) {
    // This process is storing its response: wait for that, then look again.
    await running.get(entry.id);
    entry = await store.find(entry.id);
  }
  if (entry === null) throw new ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed; retry shortly");
  if (entry.fingerprint !== fingerprint) throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for a different request");
  if (entry.status !== NO_RESPONSE) return { status: entry.status, body: JSON.parse(entry.body) };
  if (entry.created === undefined || Date.now() - Date.parse(entry.createdAt) < RESPONSE_GRACE_MS) {
    throw new ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed; retry shortly");
  }
  throw new ApiError(
    409,
    "IDEMPOTENCY_RESPONSE_LOST",
    `the request with this Idempotency-Key was carried out, but its response was not kept (the service stopped first); it created ${describe(entry.created)}`,
    { created: entry.created },
  );
}

function describe(created: CreatedByWrite[]): string {
  if (created.length === 0) return "nothing";
  return created.map((c) => ("kind" in c ? `${c.kind} ${c.id}` : `record ${c.record} (${c.type} of ${c.subject})`)).join(", ");
}

const digest = (s: string): string => createHash("sha256").update(s).digest("hex");
