// One signed POST to a webhook: a fresh connection, only to an address the target policy allows (checked on the
// address connected to, after DNS), no redirects followed, the whole attempt bounded by a timeout so that a receiver
// that hangs costs a delivery slot for that long and nothing else.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressRefusal, type WebhookTargetPolicy } from "./targets";

/** What a receiver answered: its status, or why there was none. */
export interface PostOutcome {
  status: number | null;
  error: string | null;
}

/** What is read of an answer before the connection is dropped: receivers say "ok" by status alone. */
const ANSWER_READ_MAX = 16 * 1024;

export function postSigned(url: string, body: string, headers: Record<string, string>, policy: WebhookTargetPolicy, timeoutMs: number): Promise<PostOutcome> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  // A literal address is connected to without a lookup, so it is checked here.
  const refused = isIP(host) === 0 ? null : addressRefusal(host, policy);
  if (refused !== null) return Promise.resolve({ status: null, error: refused });
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = client.request(
      target,
      {
        method: "POST",
        agent: false,
        lookup: guardedLookup(policy),
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "sealproof-webhooks/1" },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > ANSWER_READ_MAX) res.destroy();
        });
        const done = () => {
          req.destroy();
          settle(status >= 200 && status < 300 ? { status, error: null } : { status, error: `answered ${status}${status >= 300 && status < 400 ? " (redirects are not followed)" : ""}` });
        };
        res.on("end", done).on("close", done).on("error", done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      settle({ status: null, error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on("error", (err) => settle({ status: null, error: err.message }));
    req.end(body);
  });
}

/** dns.lookup, refusing a host any of whose addresses the policy refuses (a name must not reach in by one of several). */
function guardedLookup(policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const refusal = addresses.map((a) => addressRefusal(a.address, policy)).find((r) => r !== null);
      if (refusal !== undefined) return callback(Object.assign(new Error(`${hostname}: ${refusal}`), { code: "EADDRNOTALLOWED" }), "", 0);
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
