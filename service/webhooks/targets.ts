// Where a webhook may point. A company chooses the URL and the service makes the request, so without rules a member
// could make the service call into its own network (SSRF): cloud metadata at 169.254.169.254, an admin port on
// 127.0.0.1, a database on 10.0.0.5. HTTPS to public addresses only, unless the operator allows loopback (tests,
// development: plain http too) or private ranges (an on-premise service whose receivers sit on the company's LAN).
// The host's addresses are checked again at every delivery, on the address actually connected to (DNS may change).
import { BlockList, isIP } from "node:net";

export interface WebhookTargetPolicy {
  /** 127.0.0.0/8, ::1 and localhost, over http or https (WEBHOOK_ALLOW_LOOPBACK). */
  allowLoopback: boolean;
  /** 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7, over https (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

export const PUBLIC_TARGETS_ONLY: WebhookTargetPolicy = { allowLoopback: false, allowPrivate: false };

type AddressClass = "public" | "loopback" | "private" | "never";

function blocks(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const net of v4) list.addSubnet(net.split("/")[0], Number(net.split("/")[1]), "ipv4");
  for (const net of v6) list.addSubnet(net.split("/")[0], Number(net.split("/")[1]), "ipv6");
  return list;
}

const LOOPBACK = blocks(["127.0.0.0/8"], ["::1/128"]);
const PRIVATE = blocks(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"], ["fc00::/7"]);
/** Never a webhook: unspecified, link-local (cloud metadata), multicast, reserved and broadcast, NAT64 (hides an IPv4 address). */
const NEVER = blocks(["0.0.0.0/8", "169.254.0.0/16", "192.0.0.0/24", "224.0.0.0/4", "240.0.0.0/4"], ["::/128", "fe80::/10", "ff00::/8", "64:ff9b::/96"]);

/** Which class an IP address falls in; an IPv4-mapped IPv6 address is its IPv4 address. */
export function classifyAddress(address: string): AddressClass {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1] : address;
  const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
  if (NEVER.check(ip, family)) return "never";
  if (LOOPBACK.check(ip, family)) return "loopback";
  if (PRIVATE.check(ip, family)) return "private";
  return "public";
}

/** Why `address` may not be delivered to under `policy`, or null when it may. */
export function addressRefusal(address: string, policy: WebhookTargetPolicy): string | null {
  const found = classifyAddress(address);
  if (found === "public" || (found === "loopback" && policy.allowLoopback) || (found === "private" && policy.allowPrivate)) return null;
  return found === "never" ? `${address} is a link-local, multicast or reserved address` : `${address} is a ${found} address, which this service does not deliver webhooks to`;
}

const isLoopbackName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/** Checks a webhook URL as given: https (http only to an allowed loopback host), no credentials, no address it may never call. */
export function checkWebhookUrl(raw: string, policy: WebhookTargetPolicy): { ok: true; url: URL } | { ok: false; problem: string } {
  if (!URL.canParse(raw)) return { ok: false, problem: "not a URL" };
  const url = new URL(raw);
  if (url.username !== "" || url.password !== "") return { ok: false, problem: "a webhook URL carries no credentials: the signature authenticates the service" };
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, problem: "a webhook URL is https" };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const loopback = isLoopbackName(host) || (isIP(host) !== 0 && classifyAddress(host) === "loopback");
  if (loopback && !policy.allowLoopback) return { ok: false, problem: `${host} is this machine; loopback webhooks are allowed only with WEBHOOK_ALLOW_LOOPBACK=on` };
  if (url.protocol === "http:" && !loopback) return { ok: false, problem: "a webhook URL is https (plain http only to loopback, for tests and development)" };
  if (isIP(host) !== 0) {
    const refusal = addressRefusal(host, policy);
    if (refusal !== null) return { ok: false, problem: refusal };
  }
  url.hash = "";
  return { ok: true, url };
}
