// The console's client of /api/v1: the session cookie goes with every call, state-changing calls carry the CSRF token,
// and a refusal for want of a fresh passkey assertion (STEP_UP_REQUIRED) runs the step-up ceremony and tries once more.
// Answers are typed by the service's own response schemas (type-only imports: the service checks its answers against
// them, and the console bundles none of zod).
import type { z } from "zod";
import type * as R from "../../service/http/responses";

export type Seal = z.output<typeof R.seal>;
export type Member = z.output<typeof R.member>;
export type Scenario = z.output<typeof R.scenario>;
export type Grant = z.output<typeof R.grant>;
export type SealRequest = z.output<typeof R.sealRequest>;
export type Device = z.output<typeof R.device>;
export type DeviceUnlock = z.output<typeof R.deviceUnlock>;
export type Authorization = z.output<typeof R.authorization>;
export type Alert = z.output<typeof R.alert>;
export type EvidenceRecord = z.output<typeof R.evidenceRecord>;

/** What GET /auth/session answers: who is signed in, and which actions of the policy table their roles allow. */
export interface SessionView {
  session: { id: string; expiresAt: string; stepUpUntil: string | null };
  member: { id: string; name: string; roles: string[]; company: string };
  company: { id: string; name: string };
  powers: string[];
  csrfToken: string;
}

/** A refusal from the API: its status and the closed code the service names it by. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const API_BASE = "/api/v1";

export interface ApiOptions {
  /** The CSRF token of the current session (null before sign-in). */
  csrfToken: () => string | null;
  /** Runs the step-up ceremony; resolves once the service took a fresh assertion. */
  stepUp: () => Promise<void>;
}

interface Download {
  bytes: Blob;
  filename: string;
  receipt: string | null;
}

export class Api {
  constructor(private readonly options: ApiOptions) {}

  get<T>(path: string): Promise<T> {
    return this.json<T>("GET", path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>("POST", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>("DELETE", path);
  }

  /** Every page of a list route, `key` naming the array in each page. */
  async all<T>(path: string, key: string): Promise<T[]> {
    const items: T[] = [];
    let after: string | null = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page: Record<string, unknown> = await this.get(`${path}${sep}limit=1000${after ? `&after=${encodeURIComponent(after)}` : ""}`);
      items.push(...((page[key] as T[] | undefined) ?? []));
      after = typeof page.next === "string" ? page.next : null;
    } while (after !== null);
    return items;
  }

  /** A POST answered with a file (an audit report): its bytes, its name from Content-Disposition. */
  async download(path: string, body?: unknown): Promise<Download> {
    const res = await this.send("POST", path, body);
    const disposition = res.headers.get("content-disposition") ?? "";
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? "download";
    return { bytes: await res.blob(), filename, receipt: res.headers.get("sealproof-receipt") };
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    return (await res.json()) as T;
  }

  private async send(method: string, path: string, body: unknown, stepped = false): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const csrf = this.options.csrfToken();
    if (method !== "GET" && csrf !== null) headers["x-csrf-token"] = csrf;
    const res = await fetch(`${API_BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin", cache: "no-store" });
    if (res.ok) return res;
    const failure = await failureOf(res);
    if (failure.code === "STEP_UP_REQUIRED" && !stepped) {
      await this.options.stepUp();
      return this.send(method, path, body, true);
    }
    throw failure;
  }
}

async function failureOf(res: Response): Promise<ApiFailure> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === "string" ? body.error.code : `HTTP_${res.status}`;
    return new ApiFailure(res.status, code, typeof body.error?.message === "string" ? body.error.message : res.statusText);
  } catch {
    return new ApiFailure(res.status, `HTTP_${res.status}`, res.statusText);
  }
}
