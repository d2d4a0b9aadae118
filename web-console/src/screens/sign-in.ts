// Signing in with a passkey, and redeeming an invitation link by registering one. Neither needs a session.
import { ApiFailure, type Api, type SessionView } from "../api";
import { errorText, type Words } from "../i18n";
import { redeemInvitation, signIn } from "../passkey";
import { button, card, h } from "../ui";

export function signInScreen(w: Words, api: Api, done: (view: SessionView) => void): HTMLElement {
  const status = h("p", { class: "status-line", role: "status", "aria-live": "polite" });
  const go = button(w.signInButton, () => void run(), { class: "primary wide", "data-testid": "sign-in" });
  async function run(): Promise<void> {
    go.disabled = true;
    status.textContent = w.passkeyWaiting;
    try {
      done(await signIn(api));
    } catch (err) {
      status.textContent = passkeyError(w, err);
      go.disabled = false;
    }
  }
  return h("div", { class: "centred" }, h("h1", { tabindex: "-1" }, w.signInTitle), card(null, h("p", {}, w.signInText), go, status, h("p", { class: "hint" }, w.signInNoPasskey)));
}

export function inviteScreen(w: Words, api: Api, token: string, done: (view: SessionView) => void): HTMLElement {
  const status = h("p", { class: "status-line", role: "status", "aria-live": "polite" });
  const go = button(w.inviteButton, () => void run(), { class: "primary wide", "data-testid": "register-passkey" });
  async function run(): Promise<void> {
    go.disabled = true;
    status.textContent = w.passkeyWaiting;
    try {
      done(await redeemInvitation(api, token));
    } catch (err) {
      status.textContent = passkeyError(w, err);
      // A used or expired link stays refused; only a cancelled or failed ceremony may be tried again.
      go.disabled = err instanceof ApiFailure && (err.status === 410 || err.status === 404);
    }
  }
  return h("div", { class: "centred" }, h("h1", { tabindex: "-1" }, w.inviteTitle), card(null, h("p", {}, w.inviteText), go, status));
}

/** The browser's refusals (cancelled, no passkey, not allowed) and the service's, in the member's language. */
function passkeyError(w: Words, err: unknown): string {
  if (err instanceof ApiFailure) return errorText(w, err);
  if (err instanceof Error && (err.name === "NotAllowedError" || err.name === "AbortError")) return w.passkeyCancelled;
  return w.passkeyFailed;
}
