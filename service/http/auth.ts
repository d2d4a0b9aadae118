// Bearer authentication: members with API keys, devices with their credentials, the operator with the operator token.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Request } from "express";
import { ApiError } from "./errors";
import { authenticate } from "../domain/api-keys";
import { authenticateDevice } from "../domain/devices";
import type { Actor, DomainContext } from "../domain/context";
import type { Device } from "../domain/model";

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
