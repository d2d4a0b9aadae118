// A browser's view of the console API for tests: it keeps the session cookie the service sets, sends the page's
// Origin on state changes as browsers do, and the CSRF token once it has read the session.
import { SoftAuthenticator } from "./authenticator";
import type { Reply } from "../helpers/service";

export class ConsoleClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  readonly authenticator: SoftAuthenticator;

  /** `url`: where the service listens; `origin`: the console's origin (PUBLIC_BASE_URL's, or the service's own). */
  constructor(
    readonly url: string,
    readonly origin = url,
    authenticator?: SoftAuthenticator,
  ) {
    this.authenticator = authenticator ?? new SoftAuthenticator(origin);
  }

  async call<T = any>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T> & { setCookie: string | null; headers: Headers }> {
    const sent: Record<string, string> = {};
    if (this.cookie !== null) sent.cookie = this.cookie;
    if (method !== "GET") {
      sent.origin = this.origin;
      if (this.csrfToken !== null) sent["x-csrf-token"] = this.csrfToken;
    }
    if (body !== undefined) sent["content-type"] = "application/json";
    const res = await fetch(`${this.url}/api/v1${route}`, { method, headers: { ...sent, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie !== null) {
      const pair = setCookie.split(";", 1)[0];
      this.cookie = pair.endsWith("=") ? null : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: kept as text for the assertion to show.
    }
    if (typeof parsed === "object" && parsed !== null && "csrfToken" in parsed && typeof parsed.csrfToken === "string") this.csrfToken = parsed.csrfToken;
    return { status: res.status, body: parsed as any, setCookie, headers: res.headers };
  }

  /** Opens an invitation link as the console does: registration options, the authenticator's answer, the redeem. */
  async redeem(url: string) {
    const token = tokenOf(url);
    const options = await this.call("POST", "/auth/invitations/options", { token });
    if (options.status !== 200) return options;
    return this.call("POST", "/auth/invitations/redeem", { token, response: this.authenticator.register(options.body) });
  }

  async signIn(answer: Parameters<SoftAuthenticator["assert"]>[1] = {}) {
    const options = await this.call("POST", "/auth/sign-in/options", {});
    if (options.status !== 200) return options;
    return this.call("POST", "/auth/sign-in", { response: this.authenticator.assert(options.body, answer) });
  }

  async stepUp(answer: Parameters<SoftAuthenticator["assert"]>[1] = {}) {
    const options = await this.call("POST", "/auth/step-up/options", {});
    if (options.status !== 200) return options;
    return this.call("POST", "/auth/step-up", { response: this.authenticator.assert(options.body, answer) });
  }
}

/** The token of an invitation link, from its fragment. */
export function tokenOf(url: string): string {
  const match = /#\/invite\/([^/?#]+)$/.exec(url);
  if (match === null) throw new Error(`not an invitation link: ${url}`);
  return match[1];
}

/** `person` signed in to the console at `url`: invited by `by` (through the API with its key), passkey registered. */
export async function signedIn(url: string, by: { token: string }, person: { id: string }, origin = url): Promise<ConsoleClient> {
  const invited = await fetch(`${url}/api/v1/members/${person.id}/invitations`, { method: "POST", headers: { authorization: `Bearer ${by.token}` } });
  const body = (await invited.json()) as { url?: string; error?: unknown };
  if (invited.status !== 201 || body.url === undefined) throw new Error(`invitation: ${invited.status} ${JSON.stringify(body)}`);
  const browser = new ConsoleClient(url, origin);
  const redeemed = await browser.redeem(body.url);
  if (redeemed.status !== 201) throw new Error(`redeem: ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  return browser;
}
