// Idempotency-Key on POST: the first response is stored and replayed for a retry with the same key and
// body, so a retry writes nothing new. The key is claimed before the handler runs, so concurrent retries
// cannot both write.
import { createHash } from "node:crypto";
import { ApiError } from "./errors";
import { StoreConflictError, type Store } from "../store/port";
import type { IdempotencyEntry } from "../domain/model";

const KEY_RE = /^[\x21-\x7e]{1,128}$/;
const IN_PROGRESS = 0;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export async function withIdempotency(
  store: Store,
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
  const claim: IdempotencyEntry = { id, company: scope.company, fingerprint, status: IN_PROGRESS, body: "", createdAt: new Date().toISOString() };
  try {
    await store.idempotency.insert(claim);
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    return replay(await store.idempotency.get(id), fingerprint);
  }
  let response: StoredResponse;
  try {
    response = await run();
  } catch (err) {
    // A refused request wrote nothing: release the key so the client may retry after fixing it.
    await store.idempotency.delete(id);
    throw err;
  }
  await store.idempotency.update({ ...claim, status: response.status, body: JSON.stringify(redact(response.body)) });
  return response;
}

function replay(entry: IdempotencyEntry | null, fingerprint: string): StoredResponse {
  if (entry === null) throw new ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed; retry shortly");
  if (entry.fingerprint !== fingerprint) throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for a different request");
  if (entry.status === IN_PROGRESS) throw new ApiError(409, "IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is being processed; retry shortly");
  return { status: entry.status, body: JSON.parse(entry.body) };
}

const digest = (s: string): string => createHash("sha256").update(s).digest("hex");
