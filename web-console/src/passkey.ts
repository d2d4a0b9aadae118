// The three passkey ceremonies against the service: registering on an invitation, signing in, and the step-up a
// sensitive action needs. The browser (and the authenticator) do the cryptography; the service judges the answers.
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import type { Api, SessionView } from "./api";

type RegistrationOptions = Parameters<typeof startRegistration>[0]["optionsJSON"];
type AuthenticationOptions = Parameters<typeof startAuthentication>[0]["optionsJSON"];

export async function redeemInvitation(api: Api, token: string): Promise<SessionView> {
  const optionsJSON = await api.post<RegistrationOptions>("/auth/invitations/options", { token });
  const response = await startRegistration({ optionsJSON });
  return api.post<SessionView>("/auth/invitations/redeem", { token, response });
}

export async function signIn(api: Api): Promise<SessionView> {
  const optionsJSON = await api.post<AuthenticationOptions>("/auth/sign-in/options", {});
  const response = await startAuthentication({ optionsJSON });
  return api.post<SessionView>("/auth/sign-in", { response });
}

export async function stepUp(api: Api): Promise<{ stepUpUntil: string }> {
  const optionsJSON = await api.post<AuthenticationOptions>("/auth/step-up/options", {});
  const response = await startAuthentication({ optionsJSON });
  return api.post<{ stepUpUntil: string }>("/auth/step-up", { response });
}
