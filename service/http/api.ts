// The route table: each route is declared once with its schemas, and from that declaration come the
// Express handler (auth, validation, idempotency) and the OpenAPI description, so the two cannot drift.
import { Router, type Request, type RequestHandler, type Response } from "express";
import { z } from "zod";
import { requireMember, requireOperator } from "./auth";
import { withIdempotency, type StoredResponse } from "./idempotency";
import type { Actor, DomainContext } from "../domain/context";

export type Auth = "member" | "operator" | "public";

export interface RouteSpec {
  method: "get" | "post";
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a success; the response body is described in words in `responds`. */
  status: number;
  responds: string;
  /** Needs no API key, so it is rate-limited per client address. */
  rateLimited?: boolean;
  /** The response carries a secret shown once: the idempotency store keeps it without the secret. */
  returnsSecret?: boolean;
  /** Media type of a success that is not JSON (routes added with addMedia). */
  produces?: MediaType;
}

/** Non-JSON success bodies the API serves: QR images of receipt links. */
export type MediaType = "image/svg+xml" | "image/png";

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  req: Request;
}

export interface ApiDeps {
  ctx: DomainContext;
  operatorToken: string;
  publicLimiter: RequestHandler;
}

export class Api {
  readonly routes: RouteSpec[] = [];
  readonly router = Router();

  constructor(private readonly deps: ApiDeps) {}

  add<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec, handle: (input: HandlerInput<P, Q, B>) => Promise<unknown>): void {
    this.register<P, Q, B>(spec, async (input, actor, res) => {
      const run = async (): Promise<StoredResponse> => ({ status: spec.status, body: await handle(input) });
      if (spec.method === "get") {
        // res.json: a GET answer gets an ETag and a 304 for a client that holds it already.
        const response = await run();
        res.status(response.status).json(response.body);
        return;
      }
      sendJson(res, await this.idempotent(spec, input.req, actor, run));
    });
  }

  /** A GET whose success body is an image rather than JSON; failures are JSON errors as everywhere else. */
  addMedia<P = Record<string, never>, Q = Record<string, never>>(
    spec: RouteSpec & { method: "get"; produces: MediaType },
    handle: (input: HandlerInput<P, Q, undefined>) => Promise<string | Uint8Array>,
  ): void {
    this.register<P, Q, undefined>(spec, async (input, _actor, res) => {
      const body = await handle(input);
      res.status(spec.status).type(spec.produces).send(typeof body === "string" ? body : Buffer.from(body));
    });
  }

  private register<P, Q, B>(spec: RouteSpec, respond: (input: HandlerInput<P, Q, B>, actor: Actor | null, res: Response) => Promise<void>): void {
    this.routes.push(spec);
    const limit: RequestHandler[] = spec.rateLimited ? [this.deps.publicLimiter] : [];
    this.router[spec.method](spec.path, ...limit, async (req, res) => {
      const actor = await this.authorize(spec.auth, req);
      const input: HandlerInput<P, Q, B> = {
        params: (spec.params ? spec.params.parse(req.params) : {}) as P,
        query: (spec.query ? spec.query.parse(req.query) : {}) as Q,
        body: (spec.body ? spec.body.parse(req.body ?? {}) : undefined) as B,
        actor: actor as Actor,
        req,
      };
      await respond(input, actor, res);
    });
  }

  private async authorize(auth: Auth, req: Request): Promise<Actor | null> {
    if (auth === "member") return requireMember(this.deps.ctx, req);
    if (auth === "operator") requireOperator(this.deps.operatorToken, req);
    return null;
  }

  private async idempotent(spec: RouteSpec, req: Request, actor: Actor | null, run: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const scope = actor ? { company: actor.company, principal: actor.member.id } : { company: "-", principal: spec.auth };
    const request = { method: req.method, path: req.path, body: req.body };
    return withIdempotency(this.deps.ctx.store, scope, req.get("Idempotency-Key"), request, run, spec.returnsSecret ? withoutSecrets : undefined);
  }
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

/** What the idempotency store keeps of a response that carried a secret: everything but the secret. */
function withoutSecrets(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body, (key, value: unknown) => (key === "secret" ? "(shown once; issue a new key if it was lost)" : value)));
}
