// The browser's answers as @simplewebauthn/server reads them, and its refusals turned into PASSKEY_INVALID: a malformed
// or forged answer is the client's fault, never a 500.
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { refuse } from "../domain/errors";

/** A registration answer: what navigator.credentials.create() gives, as JSON (@simplewebauthn/browser's startRegistration). */
export type RegistrationAnswer = RegistrationResponseJSON;
/** An assertion: what navigator.credentials.get() gives, as JSON (@simplewebauthn/browser's startAuthentication). */
export type AuthenticationAnswer = AuthenticationResponseJSON;

export async function verifiedOrRefused<R extends { verified: boolean }>(verify: () => Promise<R>): Promise<R & { verified: true }> {
  let result: R;
  try {
    result = await verify();
  } catch (err) {
    refuse("PASSKEY_INVALID", `the passkey's answer does not verify: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isVerified(result)) refuse("PASSKEY_INVALID", "the passkey's answer does not verify");
  return result;
}

function isVerified<R extends { verified: boolean }>(result: R): result is R & { verified: true } {
  return result.verified;
}
