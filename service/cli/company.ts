// `sealproof company create`: the operator registers a company through the API; the legal
// representative's API key is printed once.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { callApi } from "./http-client";
import { CliUsageError, type Command } from "./command";

const HELP = `Usage: sealproof company create --name NAME --credit-code CODE --legal-rep-name NAME --legal-rep-id ID [options]

Registers a company and its legal representative, and prints the legal representative's API key once.

Options:
  --name NAME            the company's registered name
  --credit-code CODE     unified social credit code (18 characters, GB 32100 check character)
  --legal-rep-name NAME  the legal representative's name
  --legal-rep-id ID      the legal representative's resident ID number (GB 11643)
  --url URL              the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --token TOKEN          the operator token (default: $OPERATOR_TOKEN, else the file $DATA_DIR/operator-token)
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
        token: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return void console.log(HELP);
    const missing = ["name", "credit-code", "legal-rep-name", "legal-rep-id"].filter((k) => !values[k as keyof typeof values]);
    if (missing.length > 0) throw new CliUsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
    const url = values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
    const body = { name: values.name, creditCode: values["credit-code"], legalRep: { name: values["legal-rep-name"], idNumber: values["legal-rep-id"] } };
    const created = await callApi<Created>(url, values.token ?? operatorToken(), "POST", "/api/v1/companies", body);
    console.log(`company ${created.company.id} registered: ${created.company.name} (${created.company.creditCode})`);
    console.log(`registry check: ${created.company.registryCheck.note}`);
    console.log(`legal representative: member ${created.legalRep.id}`);
    console.log(`API key (shown once, keep it safe):\n  ${created.apiKey.secret}`);
  },
};

/** OPERATOR_TOKEN, else the token the service saved under DATA_DIR on first start, else undefined. */
export function operatorToken(): string | undefined {
  if (process.env.OPERATOR_TOKEN) return process.env.OPERATOR_TOKEN;
  const file = path.join(path.resolve(process.env.DATA_DIR ?? "data"), "operator-token");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}
