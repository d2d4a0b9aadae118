// The console's screens, addressed by the URL's fragment (#/requests/r_…); the fragment never reaches a server.
export const SCREENS = ["inbox", "new", "requests", "request", "usages", "seals", "members", "scenarios", "grants", "devices", "alerts", "audit", "me"] as const;
export type ScreenName = (typeof SCREENS)[number];

export type Route = { name: ScreenName; param: string | null } | { name: "invite"; param: string } | { name: "sign-in"; param: null };

export function parseRoute(hash: string): Route {
  const [first = "", second = ""] = hash.replace(/^#\/?/, "").split("/").map((part) => decodeURIComponent(part));
  if (first === "invite" && second !== "") return { name: "invite", param: second };
  if (first === "sign-in") return { name: "sign-in", param: null };
  if (first === "requests" && second !== "") return { name: "request", param: second };
  const name = SCREENS.find((s) => s === first && s !== "request");
  return name === undefined ? { name: "inbox", param: null } : { name, param: second === "" ? null : second };
}

export function hashOf(name: ScreenName, param?: string): string {
  if (name === "request") return `#/requests/${encodeURIComponent(param ?? "")}`;
  return name === "inbox" ? "#/" : `#/${name}`;
}

/** The menu: each screen and the power (of the policy table) its member needs to see it; null: everyone signed in. */
export const MENU: ReadonlyArray<{ name: ScreenName; powers: readonly string[] | null }> = [
  { name: "inbox", powers: null },
  { name: "new", powers: ["request.create"] },
  { name: "requests", powers: null },
  { name: "usages", powers: ["records.read"] },
  { name: "seals", powers: ["seal.read"] },
  { name: "devices", powers: ["device.read"] },
  { name: "alerts", powers: ["alert.read"] },
  { name: "members", powers: ["member.read"] },
  { name: "scenarios", powers: ["scenario.read"] },
  { name: "grants", powers: ["grant.read-own", "grant.read-all"] },
  { name: "audit", powers: ["audit.report", "audit.reconcile", "audit.findings"] },
  { name: "me", powers: null },
];
