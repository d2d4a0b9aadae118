// Bearer authentication: members with API keys, devices with their credentials, the operator with the operator token;
// and members of the console with its session cookie.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Request } from "express";
import { ApiError } from "./errors";
import { authenticate } from "../domain/api-keys";
import { authenticateDevice } from "../domain/devices";
import type { Actor, DomainContext } from "../domain/context";
import type { Device } from "../domain/model";
import { authenticateSession } from "../console-auth/sessions";
import { relyingPartyOf, type ConsoleAuthContext } from "../console-auth/context";
import { csrfTokenOf, sameToken } from "../console-auth/secrets";
import { consoleBaseUrl, SAFE_METHODS, sessionSecretOf } from "./session-cookie";
import type { ConsoleSession } from "../console-auth/model";

function bearer(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header !== "string") return null;
  const match = /^Bearer ([\x21-\x7e]{1,200})$/.exec(header);
  return match ? match[1] : null;
}

export async function requireMember(ctx: DomainContext, req: Request): Promise<Actor> {
  const secret = bearer(req);
  if (secret === null) throw new ApiError(401, "UNAUTHENTICATED", "send an API key as Authorization: Bearer <key>");
  const actor = await authenticate(ctx, secret);
  if (actor === null) throw new ApiError(401, "UNAUTHENTICATED", "the API key is unknown or revoked");
  return actor;
}

export async function requireDevice(ctx: DomainContext, req: Request): Promise<Device> {
  const secret = bearer(req);
  if (secret === null) throw new ApiError(401, "UNAUTHENTICATED", "send the device credential as Authorization: Bearer <credential>");
  const device = await authenticateDevice(ctx.store, secret);
  if (device === null) throw new ApiError(401, "UNAUTHENTICATED", "the device credential is unknown, or the device is retired");
  return device;
}

export function requireOperator(operatorToken: string, req: Request): void {
  const secret = bearer(req);
  if (secret === null || !sameSecret(secret, operatorToken)) throw new ApiError(401, "UNAUTHENTICATED", "this route needs the operator token");
}

// Compare digests so that neither the length nor the content leaks through timing.
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A console session calling: the session, and the CSRF token its state changes carry (derived from its cookie). */
export interface SessionCaller {
  session: ConsoleSession;
  csrfToken: string;
}

/**
 * The member of the console session the request's cookie names. A state change must carry X-CSRF-Token (the token
 * GET /auth/session hands the console's script) and, when the browser sends one, the console's own Origin.
 */
export async function requireSession(consoleAuth: ConsoleAuthContext | undefined, publicBaseUrl: string | undefined, req: Request): Promise<{ actor: Actor; session: SessionCaller }> {
  const baseUrl = consoleBaseUrl(publicBaseUrl, req);
  const secret = sessionSecretOf(req, baseUrl);
  if (consoleAuth === undefined || secret === null) throw new ApiError(401, "UNAUTHENTICATED", "sign in to the console with a passkey");
  const found = await authenticateSession(consoleAuth, secret);
  if (found === null) throw new ApiError(401, "UNAUTHENTICATED", "the console session has ended; sign in again");
  const csrfToken = csrfTokenOf(secret);
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.get("X-CSRF-Token");
    const origin = req.headers.origin;
    if (sent === undefined || !sameToken(sent, csrfToken)) throw new ApiError(403, "CSRF_REJECTED", "a state change with the console's session carries its CSRF token as X-CSRF-Token");
    if (origin !== undefined && origin !== relyingPartyOf(baseUrl).origin) throw new ApiError(403, "CSRF_REJECTED", "a state change with the console's session must come from the console's own pages");
  }
  return { actor: found.actor, session: { session: found.session, csrfToken } };
}

/** Whether the request chose the console session over an API key: no Authorization header, and the session cookie. */
export function usesSession(publicBaseUrl: string | undefined, req: Request): boolean {
  return req.headers.authorization === undefined && req.headers.cookie !== undefined && sessionSecretOf(req, consoleBaseUrl(publicBaseUrl, req)) !== null;
}

/** An act that needs a fresh passkey assertion: the session's step-up must be younger than its five minutes. */
export function requireStepUp(session: ConsoleSession, now: Date): void {
  if (session.stepUpUntil === null || Date.parse(session.stepUpUntil) <= now.getTime()) {
    throw new ApiError(403, "STEP_UP_REQUIRED", "this act needs a fresh passkey assertion: POST /api/v1/auth/step-up/options, then /api/v1/auth/step-up, and try again within five minutes");
  }
}
