// `sealproof trust`: pin a service's deployment once, from its /.well-known/sealproof.json, after the user
// has compared it with what the operator published elsewhere; list and remove pinned services.
import { parseArgs } from "node:util";
import readline from "node:readline/promises";
import { formatDeployment } from "../evidence";
import { CliUsageError, type Command } from "./command";
import { deploymentOf, fetchPublished, readTrusted, removeTrusted, saveTrusted, serviceOrigin, trustFilePath } from "./trust-store";

const HELP = `Usage: sealproof trust add <service URL> [--yes]
       sealproof trust list
       sealproof trust remove <service URL>

A receipt names the chain and the SealAnchor contract it was anchored in, but anyone can deploy a contract
of the same code and anchor invented records in it. So 'sealproof verify' checks receipts only against
deployments you pinned: 'trust add' fetches the service's /.well-known/sealproof.json once, shows the chain
id and contract, and stores them after you confirm. Compare them with what the operator published through
another channel (a contract, a letter, their website) before you answer yes. Later runs of 'verify' use the
pinned deployment and warn if the service ever publishes another one.

Options:
  --yes        store without asking (scripts; you must have checked the deployment already)
  -h, --help   show this help

The trust file is $SEALPROOF_TRUST_FILE, or ${trustFilePath()} here.`;

export const trustCommand: Command = {
  name: "trust",
  summary: "pin a service's deployment (chain id and contract) for verify",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { yes: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) return void console.log(HELP);
    const [sub, url, ...extra] = positionals;
    if (extra.length > 0) throw new CliUsageError(`unexpected arguments: ${extra.join(" ")}`);
    if (sub === "list" && url === undefined) return list();
    if ((sub === "add" || sub === "remove") && url !== undefined) {
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new CliUsageError(`${url} is not an http(s) URL`);
      return sub === "add" ? add(url, values.yes === true) : remove(url);
    }
    throw new CliUsageError("give add <service URL>, list, or remove <service URL>");
  },
};

async function add(url: string, yes: boolean): Promise<number> {
  const origin = serviceOrigin(url);
  const published = await fetchPublished(origin);
  console.log(`${origin} publishes:`);
  console.log(`  chain id            ${published.chainId}`);
  console.log(`  SealAnchor          ${published.contract}`);
  console.log(`  deployment block    ${published.deploymentBlock ?? "unknown"}`);
  console.log(`  public base URL     ${published.publicBaseUrl}`);
  console.log(`  device command key  ${published.commandPublicKey ?? "none"}`);
  if (!yes && !(await confirm("Trust this deployment for verifying receipts? [y/N] "))) {
    console.log("not stored");
    return 1;
  }
  const entry = { ...published, url: origin, addedAt: new Date().toISOString() };
  saveTrusted(entry);
  console.log(`trusted ${formatDeployment(deploymentOf(entry))} for ${origin} (stored in ${trustFilePath()})`);
  return 0;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliUsageError("cannot ask for confirmation without a terminal: check the deployment, then run again with --yes");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function list(): number {
  const services = readTrusted();
  if (services.length === 0) console.log(`no trusted services (${trustFilePath()})`);
  for (const s of services) console.log(`${s.url}  ${formatDeployment(deploymentOf(s))}  added ${s.addedAt}`);
  return 0;
}

function remove(url: string): number {
  const removed = removeTrusted(serviceOrigin(url));
  console.log(removed ? `removed ${serviceOrigin(url)}` : `${serviceOrigin(url)} was not trusted`);
  return removed ? 0 : 1;
}
