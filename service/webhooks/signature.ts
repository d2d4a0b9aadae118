// Webhook signatures, as DESIGN.md specifies them: `Sealproof-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
// "<t>.<body>")>`. Signing the time with the body lets a receiver refuse a delivery replayed later.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Sealproof-Signature";
/** The delivery's id: the same on every retry of one delivery, so a receiver drops repeats by it. */
export const DELIVERY_HEADER = "Sealproof-Delivery";
export const EVENT_HEADER = "Sealproof-Event";

/** How old a signature a receiver accepts by default, in seconds. */
export const DEFAULT_TOLERANCE_S = 300;

export type SignatureCode = "HEADER_MALFORMED" | "TIMESTAMP_OUT_OF_RANGE" | "SIGNATURE_MISMATCH";

export class WebhookSignatureError extends Error {
  constructor(
    readonly code: SignatureCode,
    message: string,
  ) {
    super(message);
    this.name = "WebhookSignatureError";
  }
}

function hmac(secret: string, t: number, body: string): Buffer {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest();
}

/** The header value for `body` (the exact bytes sent, as UTF-8 text) signed at `at`. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body).toString("hex")}`;
}

/** A receiver's check: throws WebhookSignatureError unless `header` signs `body` with `secret` within `toleranceS` of `now`. */
export function verifyWebhook(secret: string, header: string, body: string, now: Date, toleranceS = DEFAULT_TOLERANCE_S): void {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) throw new WebhookSignatureError("HEADER_MALFORMED", `expected t=<unix seconds>,v1=<64 hex>, got ${JSON.stringify(header.slice(0, 100))}`);
  const t = Number(match[1]);
  const ageS = now.getTime() / 1000 - t;
  if (Math.abs(ageS) > toleranceS) throw new WebhookSignatureError("TIMESTAMP_OUT_OF_RANGE", `signed ${Math.round(ageS)} s from now, beyond the ${toleranceS} s tolerance`);
  if (!timingSafeEqual(hmac(secret, t, body), Buffer.from(match[2], "hex"))) throw new WebhookSignatureError("SIGNATURE_MISMATCH", "the signature is not this body's under this secret");
}
