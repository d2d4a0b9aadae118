// `sealproof member invite`: asks the service for a one-time link with which a member registers a passkey for the
// console, and prints it. The link is a bearer secret for 24 hours: hand it to the member alone.
import { parseArgs } from "node:util";
import { callApi } from "./http-client";
import { CliUsageError, type Command } from "./command";

const HELP = `Usage: sealproof member invite <memberId> [--url URL] [--key KEY]

Prints a one-time invitation link for the member to register a passkey and sign in to the console. The link is valid
for 24 hours and works once; whoever opens it first registers the passkey, so give it to the member alone (a second
use is refused). A legal representative or seal_admin invites; a member holding powers (a role beyond employee and
auditor, or a grant), only the legal representative.

  --url URL   the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --key KEY   an API key of the legal representative or a seal_admin (default: $SEALPROOF_API_KEY)
  -h, --help  show this help`;

interface Invitation {
  id: string;
  member: string;
  url: string;
  expiresAt: string;
}

export const memberCommand: Command = {
  name: "member",
  summary: "member invite: a one-time link for a member to register a passkey for the console",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "--help" || sub === "-h") return void console.log(HELP);
    if (sub !== "invite") throw new CliUsageError(`unknown subcommand "${sub ?? ""}"; try: sealproof member invite --help`);
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { url: { type: "string" }, key: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1 || !/^m_[1-9A-HJ-NP-Za-km-z]{8,24}$/.test(positionals[0])) throw new CliUsageError("give one member id (m_…)");
    const key = values.key ?? process.env.SEALPROOF_API_KEY;
    if (!key) throw new CliUsageError("give --key KEY (or $SEALPROOF_API_KEY): an API key of the legal representative or a seal_admin");
    const url = values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
    const invitation = await callApi<Invitation>(url, key, "POST", `/api/v1/members/${positionals[0]}/invitations`);
    console.log(`invitation ${invitation.id} for member ${invitation.member}, valid once until ${invitation.expiresAt}:`);
    console.log(`  ${invitation.url}`);
  },
};
