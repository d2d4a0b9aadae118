// The console's session cookie (httpOnly, SameSite=Strict, Secure behind TLS, Path=/) and the refusal of cross-site
// state changes made with it: a request carrying the cookie from another site's page is refused before anything reads
// its body, whatever it is. The exact CSRF token check is auth.ts's, on the routes a session may call.
import type { Request, RequestHandler, Response } from "express";
import { errorBody } from "./errors";
import { relyingPartyOf } from "../console-auth/context";
import type { ConsoleSession } from "../console-auth/model";

export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** Where the console is reached: PUBLIC_BASE_URL, else (the service then listens on loopback only) the Host the browser used. */
export function consoleBaseUrl(publicBaseUrl: string | undefined, req: Request): string {
  return publicBaseUrl ?? `http://${req.headers.host ?? "localhost"}`;
}

/**
 * The base of invitation links: PUBLIC_BASE_URL, else the console's address with a loopback IP written as localhost,
 * since browsers refuse passkeys on an IP address (a link made through 127.0.0.1 would open a console that cannot
 * register one).
 */
export function invitationBaseUrl(publicBaseUrl: string | undefined, req: Request): string {
  if (publicBaseUrl !== undefined) return publicBaseUrl;
  const url = new URL(consoleBaseUrl(undefined, req));
  if (/^127\.\d+\.\d+\.\d+$/.test(url.hostname) || url.hostname === "[::1]") url.hostname = "localhost";
  return url.origin;
}

/** A cookie named __Host- is refused by browsers unless Secure, Path=/ and without Domain: it cannot be planted by a sibling host. */
export function cookieName(secure: boolean): string {
  return secure ? "__Host-sealproof-session" : "sealproof-session";
}

const isSecure = (baseUrl: string) => baseUrl.startsWith("https:");

/** The session secret the request's cookie carries, or null. */
export function sessionSecretOf(req: Request, baseUrl: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  const name = cookieName(isSecure(baseUrl));
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[1-9A-HJ-NP-Za-km-z]{32,64}$/.test(value) ? value : null;
    }
  }
  return null;
}

export function setSessionCookie(res: Response, baseUrl: string, secret: string, session: ConsoleSession): void {
  const secure = isSecure(baseUrl);
  res.append("Set-Cookie", `${cookieName(secure)}=${secret}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}; Expires=${new Date(session.maxUntil).toUTCString()}`);
}

export function clearSessionCookie(res: Response, baseUrl: string): void {
  const secure = isSecure(baseUrl);
  res.append("Set-Cookie", `${cookieName(secure)}=; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}

/**
 * Refuses 403 CSRF_REJECTED a state change under /api/v1 that carries the session cookie, no API key, and comes from
 * another site: an Origin other than the console's, or Sec-Fetch-Site cross-site or same-site. A form another site
 * posts is refused here, before its body is parsed.
 */
export function refuseCrossSite(publicBaseUrl: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization !== undefined || req.headers.cookie === undefined || !req.url.startsWith("/api/v1/")) {
      next();
      return;
    }
    const baseUrl = consoleBaseUrl(publicBaseUrl, req);
    if (sessionSecretOf(req, baseUrl) === null) {
      next();
      return;
    }
    const origin = req.headers.origin;
    const site = req.headers["sec-fetch-site"];
    if ((origin !== undefined && origin !== relyingPartyOf(baseUrl).origin) || site === "cross-site" || site === "same-site") {
      res.locals.errorCode = "CSRF_REJECTED";
      res.status(403).json(errorBody("CSRF_REJECTED", "a state change with the console's session must come from the console's own pages"));
      return;
    }
    next();
  };
}
