// Request and response schemas of console sign-in: invitation tokens, the WebAuthn JSON a browser sends back (as
// @simplewebauthn/browser gives it), and the session view the console starts from.
import { z } from "zod";
import { ROLES } from "../domain/model";
import { ids } from "./schemas";
import type { AuthenticationAnswer, RegistrationAnswer } from "../console-auth/webauthn-responses";

const time = z.iso.datetime({ offset: false });
const base64url = (max: number) => z.string().regex(/^[A-Za-z0-9_-]*$/, "expected base64url").min(1).max(max);
const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;

export const sessionId = z.string().regex(/^ss_[1-9A-HJ-NP-Za-km-z]{8,24}$/, "expected a ss_… id");
const invitationId = z.string().regex(/^iv_[1-9A-HJ-NP-Za-km-z]{8,24}$/);
export const invitationToken = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,64}$/, "expected the token from the invitation link");

const credentialFields = {
  id: base64url(1400),
  rawId: base64url(1400),
  type: z.literal("public-key"),
  // Extension results are not asked for, and are not read.
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};

/** What navigator.credentials.create() answered, as JSON. */
export const registrationResponse = z.looseObject({
  ...credentialFields,
  response: z.looseObject({ clientDataJSON: base64url(4096), attestationObject: base64url(16_384), transports: z.array(z.enum(TRANSPORTS)).max(TRANSPORTS.length).optional() }),
});

/** What navigator.credentials.get() answered, as JSON. */
export const authenticationResponse = z.looseObject({
  ...credentialFields,
  response: z.looseObject({ clientDataJSON: base64url(4096), authenticatorData: base64url(4096), signature: base64url(1024), userHandle: base64url(256).optional() }),
});

export const invitationOptionsBody = z.strictObject({ token: invitationToken });
export const redeemBody = z.strictObject({ token: invitationToken, response: registrationResponse });
export const emptyBody = z.strictObject({});
export const assertionBody = z.strictObject({ response: authenticationResponse });

/** Options for navigator.credentials.create() as @simplewebauthn/server makes them, to hand to @simplewebauthn/browser's startRegistration (more fields than these). */
export const creationOptions = z.object({ challenge: z.string(), rp: z.object({ id: z.string().optional(), name: z.string() }), user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }) });
/** Options for navigator.credentials.get(), to hand to startAuthentication (more fields than these). */
export const requestOptions = z.object({ challenge: z.string(), rpId: z.string().optional() });

export const invitationView = z.strictObject({ id: invitationId, member: ids.member, url: z.string(), expiresAt: time });

export const sessionView = z.strictObject({
  session: z.strictObject({ id: sessionId, expiresAt: time, stepUpUntil: time.nullable() }),
  member: z.strictObject({ id: ids.member, name: z.string(), roles: z.array(z.enum(ROLES)), company: ids.company }),
  company: z.strictObject({ id: ids.company, name: z.string() }),
  /** The policy actions this member's roles may take (service/domain/policy.ts), for the console to show what they allow. */
  powers: z.array(z.string()),
  csrfToken: z.string(),
});

export const sessionsList = z.strictObject({
  sessions: z.array(z.strictObject({ id: sessionId, createdAt: time, lastSeenAt: time, expiresAt: time, stepUpUntil: time.nullable(), current: z.boolean() })),
});

export const stepUpView = z.strictObject({ stepUpUntil: time });
export const endedView = z.strictObject({ ended: z.number().int().min(0) });

/** The parts of a registration answer the server reads, typed as @simplewebauthn/server takes them. */
export function registrationAnswer(r: z.output<typeof registrationResponse>): RegistrationAnswer {
  const { clientDataJSON, attestationObject, transports } = r.response;
  return { id: r.id, rawId: r.rawId, type: r.type, clientExtensionResults: {}, authenticatorAttachment: r.authenticatorAttachment, response: { clientDataJSON, attestationObject, transports } };
}

export function authenticationAnswer(r: z.output<typeof authenticationResponse>): AuthenticationAnswer {
  const { clientDataJSON, authenticatorData, signature, userHandle } = r.response;
  return { id: r.id, rawId: r.rawId, type: r.type, clientExtensionResults: {}, authenticatorAttachment: r.authenticatorAttachment, response: { clientDataJSON, authenticatorData, signature, userHandle } };
}
