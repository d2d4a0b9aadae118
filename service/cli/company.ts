// `sealproof company create`: the operator registers a company through the API; the legal
// representative's API key is printed once. Secrets come from files or the environment, never from argv,
// which other users of the machine can read (ps) and the shell keeps (history).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { callApi } from "./http-client";
import { CliUsageError, type Command } from "./command";

const HELP = `Usage: sealproof company create --name NAME --credit-code CODE --legal-rep-name NAME [--legal-rep-id ID] [options]

Registers a company and its legal representative, and prints the legal representative's API key once.

Options:
  --name NAME            the company's registered name
  --credit-code CODE     unified social credit code (18 characters, GB 32100 check character)
  --legal-rep-name NAME  the legal representative's name
  --legal-rep-id ID      the legal representative's resident ID number (GB 11643); default: $SEALPROOF_LEGAL_REP_ID,
                         which keeps this personal data out of the process list and the shell history
  --url URL              the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --token-file FILE      a file holding the operator token (default: $OPERATOR_TOKEN, else the file
                         $DATA_DIR/operator-token); the token itself is never taken as an argument
  -h, --help             show this help`;

interface Created {
  company: { id: string; name: string; creditCode: string; registryCheck: { note: string } };
  legalRep: { id: string };
  apiKey: { id: string; secret: string };
}

export const companyCommand: Command = {
  name: "company",
  summary: "company create: register a company (operator)",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== "create") throw new CliUsageError(`unknown subcommand "${sub ?? ""}"; try: sealproof company create --help`);
    const { values } = parseArgs({
      args: rest,
      options: {
        name: { type: "string" },
        "credit-code": { type: "string" },
        "legal-rep-name": { type: "string" },
        "legal-rep-id": { type: "string" },
        url: { type: "string" },
        "token-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return void console.log(HELP);
    const legalRepId = values["legal-rep-id"] ?? (process.env.SEALPROOF_LEGAL_REP_ID || undefined);
    const missing = ["name", "credit-code", "legal-rep-name"].filter((k) => !values[k as keyof typeof values]).map((m) => `--${m}`);
    if (!legalRepId) missing.push("--legal-rep-id (or $SEALPROOF_LEGAL_REP_ID)");
    if (missing.length > 0) throw new CliUsageError(`missing ${missing.join(", ")}`);
    const url = values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
    const token = values["token-file"] === undefined ? operatorToken() : tokenFromFile(values["token-file"]);
    const body = { name: values.name, creditCode: values["credit-code"], legalRep: { name: values["legal-rep-name"], idNumber: legalRepId } };
    const created = await callApi<Created>(url, token, "POST", "/api/v1/companies", body);
    console.log(`company ${created.company.id} registered: ${created.company.name} (${created.company.creditCode})`);
    console.log(`registry check: ${created.company.registryCheck.note}`);
    console.log(`legal representative: member ${created.legalRep.id}`);
    console.log(`API key (shown once, keep it safe):\n  ${created.apiKey.secret}`);
  },
};

function tokenFromFile(file: string): string {
  let token: string;
  try {
    token = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new CliUsageError(`cannot read --token-file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (token === "") throw new CliUsageError(`--token-file ${file} is empty`);
  return token;
}

/** OPERATOR_TOKEN, else the token the service saved under DATA_DIR on first start, else undefined. */
export function operatorToken(): string | undefined {
  if (process.env.OPERATOR_TOKEN) return process.env.OPERATOR_TOKEN;
  const file = path.join(path.resolve(process.env.DATA_DIR ?? "data"), "operator-token");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}
