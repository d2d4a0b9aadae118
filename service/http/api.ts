// The route table: each route is declared once with its schemas, and from that declaration come the
// Express handler (auth, validation, idempotency) and the OpenAPI description, so the two cannot drift.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { requireDevice, requireMember, requireOperator, requireSession, requireStepUp, usesSession, type SessionCaller } from "./auth";
import { idempotencyOf, withIdempotency, type IdempotencyPort, type StoredResponse } from "./idempotency";
import { ApiError, ResponseMismatchError } from "./errors";
import type { OutcomeCounter } from "../metrics";
import type { Actor, DomainContext } from "../domain/context";
import type { Device } from "../domain/model";
import type { ConsoleAuthContext } from "../console-auth/context";

/**
 * Who may call a route: a member (API key, or the console's session cookie), the operator, anyone, a smart-seal device
 * (its credential), or a member signed in to the console (session cookie only).
 */
export type Auth = "member" | "operator" | "public" | "device" | "session";

export interface RouteSpec {
  method: "get" | "post" | "delete" | "put";
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  /** Called with a console session (not an API key), the act needs a passkey step-up younger than five minutes (403 STEP_UP_REQUIRED). */
  stepUp?: boolean;
  /** The answer sets or clears the session cookie, which a replayed answer could not: it takes no Idempotency-Key. */
  setsSession?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a success. */
  status: number;
  /** The success body: described in OpenAPI, and every answer is checked against it when the Api checks responses. */
  response: z.ZodType;
  /** Needs no API key, so it is rate-limited per client address. */
  rateLimited?: boolean;
  /** The response carries a secret shown once: the idempotency store keeps it without the secret. */
  returnsSecret?: boolean;
  /** Media types of a body that is not JSON, read as bytes by the route's own parser (a photo), which `body` then checks. */
  consumes?: MediaType | readonly MediaType[];
  /** Media type of a success that is not JSON (routes added with addMedia or addStream); several when the query chooses one. */
  produces?: MediaType | readonly MediaType[];
  /** Counts each answer as accepted or refused, by error code (metrics). */
  outcomes?: OutcomeCounter;
}

/** Non-JSON success bodies the API serves: QR images of receipt links, audit bundles (JSON Lines), ledgers and reports. */
export type MediaType = "image/svg+xml" | "image/png" | "image/jpeg" | "application/jsonl" | "text/csv" | "application/pdf" | "application/json" | typeof XLSX_TYPE;

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A body of one of its route's media types, chosen by the request, with the file name a download should get. */
export interface TypedBody<B> {
  type: MediaType;
  /** Null: shown in place (an image), not offered as a download. */
  filename: string | null;
  body: B;
  /** Response headers naming what the body is (a report's receipt id), for clients that cannot read the body. */
  headers?: Record<string, string>;
}

/** A method a path does not serve, answered 405 with Allow: a GET of a path that only a POST may act on. */
export interface RefusedMethod {
  method: "get";
  path: string;
  tag: string;
  /** The method that serves the path. */
  allow: "post";
  /** Why, for the client, after "GET <path> ". */
  reason: string;
}

type Parsed<S, K extends "params" | "query" | "body", Absent> = S extends { [key in K]: infer T extends z.ZodType } ? z.output<T> : Absent;

/** What a handler receives: its spec's parsed params, query and body, on member routes (only) the actor, on device routes the device. */
export type HandlerInput<S extends RouteSpec> = {
  params: Parsed<S, "params", Record<never, never>>;
  query: Parsed<S, "query", Record<never, never>>;
  body: Parsed<S, "body", undefined>;
  req: Request;
  res: Response;
} & (S extends { auth: "member" }
  ? { actor: Actor }
  : S extends { auth: "session" }
    ? { actor: Actor; session: SessionCaller }
    : S extends { auth: "device" }
      ? { device: Device; actor?: never }
      : { actor?: never });

/** Who called: a member (through a console session or not) or a device; idempotency keys are scoped to them. */
type Caller = { actor: Actor } | { actor: Actor; session: SessionCaller } | { device: Device } | null;

/** What a handler must answer: a value its spec's response schema accepts. */
export type HandlerOutput<S extends RouteSpec> = z.input<S["response"]>;

export interface ApiDeps {
  ctx: DomainContext;
  operatorToken: string;
  publicLimiter: RequestHandler;
  /** Check every success body against its route's response schema and answer 500 when one does not match (tests). */
  checkResponses?: boolean;
  /** Where the console is reached (its origin is the one session state changes must come from); unset: the request's Host. */
  publicBaseUrl?: string;
  /** Console sign-in's store and clock; unset: no session is recognised (route listings). */
  consoleAuth?: ConsoleAuthContext;
}

export class Api {
  readonly routes: RouteSpec[] = [];
  readonly refused: RefusedMethod[] = [];
  readonly router = Router();
  /** Handlers of routes without parameters, by exactKey(method, path): see dispatchExact. */
  private readonly exact = new Map<string, (req: Request, res: Response) => Promise<void>>();
  /** Every GET the router holds, in its order, for the front door's first match (see matchGet). */
  private readonly gets: GetRoute[] = [];
  private idempotency: IdempotencyPort | undefined;

  constructor(private readonly deps: ApiDeps) {
    this.router.use(this.dispatchExact);
  }

  add<S extends RouteSpec>(spec: S, handle: (input: HandlerInput<S>) => Promise<HandlerOutput<S>>): void {
    this.register(spec, async (input, caller, res) => {
      const run = async (): Promise<StoredResponse> => ({ status: spec.status, body: this.checked(spec, await handle(input)) });
      if (spec.method === "get") {
        sendGetJson(input.req, res, await run());
        return;
      }
      if (spec.setsSession) {
        refuseIdempotencyKey(spec, input.req, "sets the session cookie, which a replayed answer could not");
        sendJson(res, await run());
        return;
      }
      // A PUT names in its path what it stores, so a repeat stores the same: it needs no Idempotency-Key.
      if (spec.method === "put") {
        sendJson(res, await run());
        return;
      }
      sendJson(res, await this.idempotent(spec, input.req, caller, run));
    });
  }

  /**
   * A route whose success body is a file (an image, a report) rather than JSON; failures are JSON errors as everywhere
   * else. A POST here takes no Idempotency-Key: the idempotency store keeps JSON answers, not files, so a retry could
   * not be answered as the first request was; a key is refused rather than ignored, so no client counts on it.
   */
  addMedia<S extends RouteSpec & { produces: MediaType | readonly MediaType[] }>(spec: S, handle: (input: HandlerInput<S>) => Promise<string | Uint8Array | TypedBody<string | Uint8Array>>): void {
    this.register(spec, async (input, _actor, res) => {
      if (spec.method === "post") refuseIdempotencyKey(spec, input.req, "answers a file, which is not kept for a retry");
      const answer = await handle(input);
      const typed = typedBody(spec, answer);
      const body = this.checked(spec, typed.body);
      res.status(spec.status).type(typed.type);
      if (typed.filename !== null) res.attachment(typed.filename);
      if (typed.headers !== undefined) res.set(typed.headers);
      res.send(typeof body === "string" ? body : Buffer.from(body));
    });
  }

  /**
   * A GET whose success body is JSON Lines, written as `handle`'s lines come and only as fast as the client reads
   * (a full socket buffer waits for 'drain'), so a large export never sits in memory. Refusals come from `handle`
   * before the first line, as JSON errors; a failure after it cuts the body short, which its format makes visible.
   */
  addStream<S extends RouteSpec & { method: "get"; produces: MediaType | readonly MediaType[] }>(
    spec: S,
    handle: (input: HandlerInput<S>) => Promise<AsyncIterable<string | Uint8Array> | TypedBody<AsyncIterable<string | Uint8Array>>>,
  ): void {
    this.register(spec, async (input, _caller, res) => {
      const typed = typedBody(spec, await handle(input));
      const lines = typed.body;
      res.status(spec.status).type(typed.type);
      if (typed.filename !== null) res.attachment(typed.filename);
      try {
        for await (const line of lines) {
          if (res.destroyed) return;
          if (!res.write(line)) await Promise.race([once(res, "drain"), once(res, "close")]);
        }
      } catch (err) {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
      res.end();
    });
  }

  /** Answers `refused.method` on its path 405 METHOD_NOT_ALLOWED naming the method to use, before reading or writing anything. */
  refuseMethod(refused: RefusedMethod): void {
    this.refused.push(refused);
    if (refused.method === "get") this.gets.push({ pattern: compilePattern(refused.path), run: null });
    const allow = refused.allow.toUpperCase();
    this.router[refused.method](refused.path, (req, res, next) => {
      res.locals.route = `${refused.method.toUpperCase()} ${refused.path}`;
      res.set("Allow", allow);
      const path = `${req.baseUrl}${req.path}`;
      next(new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} ${path} ${refused.reason}; use ${allow} ${path}`));
    });
  }

  private register<S extends RouteSpec>(spec: S, respond: (input: HandlerInput<S>, caller: Caller, res: Response) => Promise<void>): void {
    this.routes.push(spec);
    const route = `${spec.method.toUpperCase()} ${spec.path}`;
    const limit: RequestHandler[] = spec.rateLimited ? [this.deps.publicLimiter] : [];
    const handler = async (req: Request, res: Response): Promise<void> => {
      res.locals.route = route;
      res.locals.outcomes = spec.outcomes;
      const caller = await this.authorize(spec, req);
      // The values are what the spec's schemas parsed; TypeScript cannot follow the conditional types through S.
      const input = {
        params: spec.params ? spec.params.parse(req.params) : {},
        query: spec.query ? spec.query.parse(req.query) : {},
        body: spec.body ? spec.body.parse(req.body ?? {}) : undefined,
        ...caller,
        req,
        res,
      } as HandlerInput<S>;
      await respond(input, caller, res);
    };
    const key = exactKey(spec.method.toUpperCase(), spec.path);
    const shadowed = [...this.routes, ...this.refused].some((earlier) => earlier !== spec && earlier.method === spec.method && mayMatch(earlier.path, spec.path));
    if (key !== null && !isParameterized(spec.path) && !spec.rateLimited && !shadowed && !this.exact.has(key)) this.exact.set(key, handler);
    if (spec.method === "get") this.gets.push({ pattern: compilePattern(spec.path), run: limit.length === 0 ? handler : afterMiddleware(limit, handler) });
    this.router[spec.method](spec.path, ...limit, handler);
  }

  /**
   * Answers a route without parameters from one map lookup, before the router tries every declared route's pattern in
   * turn (~40 regular expressions for POST /usages, a measurable share of the ingest path). It matches what the router
   * would: case-insensitively, with one optional trailing slash, and only where no earlier route could match the same
   * path; anything else (HEAD, OPTIONS, a parameterized or rate-limited route) goes on to the router as before.
   */
  private readonly dispatchExact: RequestHandler = (req, res, next) => {
    const key = exactKey(req.method, req.path);
    const handler = key === null ? undefined : this.exact.get(key);
    if (handler === undefined) {
      next();
      return;
    }
    handler(req, res).catch(next);
  };

  /**
   * The routes dispatchExact answers, and every GET whose path has only plain parameters (a public receipt read), taken
   * at the front of the app instead (mount it right after the request log): a request for one of them under `mount`
   * runs `before` (the body parsers the mount would run; for a GET only when it has a body) and its handler (after the
   * route's rate limit, if it has one), presented as the mount presents it (baseUrl `mount`, url below it, the GET's
   * params), without walking the app's other layers, the mount and the router (each an Express layer with its path
   * match and next() hop: about 50 µs of a signed usage; for a receipt read, about a tenth of what it allocates and a
   * sixth of what outlived a scavenge). Anything else, a path in `except` (a mount or route of its own), or a spelling the
   * map or the GET patterns do not take for certain (another case, an escaped character) goes on through the app.
   */
  frontDoor(mount: string, before: RequestHandler[], except: string[]): RequestHandler {
    const excepted = new Set(except.map((path) => `${mount}${path}`.toLowerCase()));
    return (req, res, next) => {
      const url = req.url;
      if (!url.startsWith(`${mount}/`)) {
        next();
        return;
      }
      const below = url.slice(mount.length);
      const query = below.indexOf("?");
      const path = query < 0 ? below : below.slice(0, query);
      const bare = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
      const key = excepted.has(`${mount}${bare}`.toLowerCase()) ? null : exactKey(req.method, path);
      let handler = key === null ? undefined : this.exact.get(key);
      let params: Record<string, string> | undefined;
      if (handler === undefined && key !== null && req.method === "GET") {
        const found = this.matchGet(path);
        handler = found?.run;
        params = found?.params;
      }
      if (handler === undefined) {
        next();
        return;
      }
      const run = handler;
      const baseUrl = req.baseUrl;
      req.baseUrl = mount;
      req.url = below;
      if (params !== undefined) req.params = params;
      const failed = (err: unknown) => {
        req.url = url;
        req.baseUrl = baseUrl;
        next(err);
      };
      const parsers = req.method === "GET" && !hasBody(req) ? [] : before;
      runInTurn(parsers, req, res, (err) => {
        if (err === undefined) run(req, res).catch(failed);
        else failed(err);
      });
    };
  }

  /**
   * The GET route the router would run for `path` (below the mount) and its params, when that first match is one the
   * front door may run; undefined when the router must decide: no route, a refused method, a pattern this does not
   * compile, or a parameter the router would decode (it holds a '%').
   */
  private matchGet(path: string): { run: (req: Request, res: Response) => Promise<void>; params: Record<string, string> } | undefined {
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const segments = trimmed.split("/");
    for (const { pattern, run } of this.gets) {
      if (pattern === null) return undefined;
      const params = matchSegments(pattern, segments);
      if (params === "no") continue;
      if (params === "router" || run === null) return undefined;
      return { run, params };
    }
    return undefined;
  }

  /** In checking mode, the body as the client will read it must match the route's response schema. */
  private checked<T>(spec: RouteSpec, body: T): T {
    if (!this.deps.checkResponses) return body;
    const sent: unknown = typeof body === "string" || body instanceof Uint8Array ? body : JSON.parse(JSON.stringify(body) ?? "null");
    const result = spec.response.safeParse(sent);
    if (!result.success) throw new ResponseMismatchError(`${spec.method.toUpperCase()} ${spec.path}`, result.error);
    return body;
  }

  private async authorize(spec: RouteSpec, req: Request): Promise<Caller> {
    const auth = spec.auth;
    if (auth === "session" || (auth === "member" && usesSession(this.deps.publicBaseUrl, req))) {
      const { actor, session } = await requireSession(this.deps.consoleAuth, this.deps.publicBaseUrl, req);
      if (spec.stepUp) requireStepUp(session.session, this.deps.ctx.now());
      const acting = spec.stepUp ? { ...actor, stepUp: true } : actor;
      return auth === "session" ? { actor: acting, session } : { actor: acting };
    }
    if (auth === "member") return { actor: await requireMember(this.deps.ctx, req) };
    if (auth === "device") return { device: await requireDevice(this.deps.ctx, req) };
    if (auth === "operator") requireOperator(this.deps.operatorToken, req);
    return null;
  }

  private async idempotent(spec: RouteSpec, req: Request, caller: Caller, run: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const scope =
      caller === null ? { company: "-", principal: spec.auth } : "actor" in caller ? { company: caller.actor.company, principal: caller.actor.member.id } : { company: caller.device.company, principal: caller.device.id };
    const request = { method: req.method, path: req.path, body: req.body as unknown };
    // Checked on the first POST, as before, and kept: the store a running Api was given does not change.
    this.idempotency ??= idempotencyOf(this.deps.ctx.store);
    return withIdempotency(this.idempotency, scope, req.get("Idempotency-Key"), request, run, spec.returnsSecret ? withoutSecrets : undefined);
  }
}

/** A route whose answer cannot be kept for a retry refuses an Idempotency-Key rather than ignore it, so no client counts on it. */
function refuseIdempotencyKey(spec: RouteSpec, req: Request, why: string): void {
  if (req.get("Idempotency-Key") !== undefined) throw new ApiError(400, "IDEMPOTENCY_UNSUPPORTED", `${spec.method.toUpperCase()} ${spec.path} ${why}; send it without Idempotency-Key`);
}

/** Runs Express middleware one after another as a router would, then `done` with the first error, if any. */
function runInTurn(handlers: RequestHandler[], req: Request, res: Response, done: (err?: unknown) => void): void {
  let index = 0;
  const step = (err?: unknown): void => {
    if (err !== undefined && err !== null) {
      done(err);
      return;
    }
    const handler = handlers[index++];
    if (handler === undefined) {
      done();
      return;
    }
    try {
      void handler(req, res, step);
    } catch (thrown) {
      done(thrown);
    }
  };
  step();
}

/** A GET the router holds: its path's segments (null: a pattern the front door does not read), and what runs it (null: the router). */
interface GetRoute {
  pattern: Segment[] | null;
  run: ((req: Request, res: Response) => Promise<void>) | null;
}

/** A literal segment, lower case, or a parameter's name. */
type Segment = string | { param: string };

/** A path of literal segments and plain `:name` parameters, each a whole segment; null for anything else. */
function compilePattern(path: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const part of path.split("/")) {
    if (/^:[A-Za-z_]\w*$/.test(part)) segments.push({ param: part.slice(1) });
    else if (/^[\x21-\x7e]*$/.test(part) && !/[:*{}()?+\\]/.test(part)) segments.push(part.toLowerCase());
    else return null;
  }
  return segments;
}

/**
 * How the router's matcher (case-insensitive, a parameter any non-empty run of characters but '/') takes a path's
 * segments: "no" when it does not match, the params when it does, "router" when the router must decide (a character
 * outside printable ASCII, or a '%' it would decode).
 */
function matchSegments(pattern: Segment[], segments: string[]): Record<string, string> | "no" | "router" {
  if (pattern.length !== segments.length) return "no";
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    const have = segments[i];
    if (!/^[\x21-\x7e]*$/.test(have)) return "router";
    if (typeof want === "string") {
      if (want !== have.toLowerCase()) return "no";
    } else {
      if (have.length === 0) return "no";
      if (have.includes("%")) return "router";
      params[want.param] = have;
    }
  }
  return params;
}

/** The route's own middleware (its rate limit), then its handler, as the router runs them. */
function afterMiddleware(middleware: RequestHandler[], handler: (req: Request, res: Response) => Promise<void>): (req: Request, res: Response) => Promise<void> {
  return (req, res) =>
    new Promise<void>((resolve, reject) => {
      runInTurn(middleware, req, res, (err) => {
        if (err === undefined) handler(req, res).then(resolve, reject);
        else reject(err instanceof Error ? err : new Error("a route's middleware failed", { cause: err }));
      });
    });
}

/** A request with a body says so in its headers (HTTP/1.1): a length, or chunks. */
function hasBody(req: Request): boolean {
  return req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");
}

/** The router's match is case-insensitive (ASCII only here: other paths go to the router) and allows one trailing slash. */
function exactKey(method: string, path: string): string | null {
  if (!/^[\x21-\x7e]+$/.test(path)) return null;
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return `${method} ${trimmed.toLowerCase()}`;
}

const isParameterized = (path: string): boolean => /[:*{}()?+\\]/.test(path);

/** Whether a route declared with `pattern` could match the plain `path`: by segments, a parameter matching any one. */
function mayMatch(pattern: string, path: string): boolean {
  if (/[*{}()?+\\]/.test(pattern)) return true;
  const want = pattern.toLowerCase().split("/");
  const have = path.toLowerCase().split("/");
  return want.length === have.length && want.every((segment, i) => segment.includes(":") || segment === have[i]);
}

/**
 * Writes a POST's JSON answer straight to Node's response: res.json would also hash the body for an ETag and
 * check freshness, which no POST uses, at a measurable share of the request's CPU on the ingest path.
 */
function sendJson(res: Response, response: StoredResponse): void {
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A GET's JSON answer, with a weak ETag and a 304 for a client that holds it already, as res.json gives one. Written
 * here because res.json turned the body into a string, then a Buffer, and set each header through Express's helpers:
 * about a fifth of the ~120 KB a public receipt read allocated, in bench:anchor's receipt reads. The text is hashed and
 * written as it is (UTF-8 both times): a Buffer copy of it, ~11 KB a receipt, was another tenth.
 */
function sendGetJson(req: Request, res: Response, response: StoredResponse): void {
  const body = JSON.stringify(response.body);
  const length = Buffer.byteLength(body);
  // The form Express's etag gives a body: W/"<length in hex>-<SHA-1 in base64, 27 characters>".
  const tag = `W/"${length.toString(16)}-${createHash("sha1").update(body, "utf8").digest("base64").slice(0, 27)}"`;
  const headers = { "Content-Type": "application/json; charset=utf-8", ETag: tag };
  if (response.status === 200 && holdsAlready(req, tag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(response.status, { ...headers, "Content-Length": length });
  res.end(body, "utf8");
}

/** If-None-Match names `tag` (weakly compared, or *), and the client did not ask to revalidate past caches. */
function holdsAlready(req: Request, tag: string): boolean {
  const held = req.headers["if-none-match"];
  if (held === undefined || /(?:^|,)\s*no-cache\s*(?:,|$)/.test(req.headers["cache-control"] ?? "")) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, "");
  return held.trim() === "*" || held.split(",").some((t) => opaque(t) === opaque(tag));
}

/** What the idempotency store keeps of a response that carried a secret: everything but the secret. */
function withoutSecrets(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body, (key, value: unknown) => (key === "secret" ? "(shown once; issue a new key if it was lost)" : value)));
}

function typedBody<B extends object | string>(spec: RouteSpec & { produces: MediaType | readonly MediaType[] }, answer: B | TypedBody<B>): { type: MediaType; filename: string | null; body: B; headers?: Record<string, string> } {
  const declared: readonly MediaType[] = typeof spec.produces === "string" ? [spec.produces] : spec.produces;
  if (typeof answer === "object" && "type" in answer && "body" in answer && "filename" in answer) {
    if (!declared.includes(answer.type)) throw new Error(`invariant violated: ${spec.path} answered ${answer.type}, which its spec does not declare`);
    return answer;
  }
  return { type: declared[0], filename: null, body: answer };
}
