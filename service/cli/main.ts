// The `sealproof` command: dispatches to one module per subcommand, loaded only when that command runs, so a command
// does not pay at start-up for the others' packages (pdf-lib, mqtt, zod, ethers).
import { ApiCallError } from "./http-client";
import { CliUsageError, type Command } from "./command";

/** Each command's module, by the name it answers to; `--help` loads them all for their summaries. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  company: async () => (await import("./company")).companyCommand,
  keygen: async () => (await import("./keygen")).keygenCommand,
  sign: async () => (await import("./sign")).signCommand,
  "seal-pdf": async () => (await import("./seal-pdf")).sealPdfCommand,
  verify: async () => (await import("./verify")).verifyCommand,
  trust: async () => (await import("./trust")).trustCommand,
  backup: async () => (await import("./backup")).backupCommand,
  restore: async () => (await import("./restore")).restoreCommand,
  "verify-log": async () => (await import("./verify-log")).verifyLogCommand,
  device: async () => (await import("./device")).deviceCommand,
  audit: async () => (await import("./audit")).auditCommand,
  member: async () => (await import("./member")).memberCommand,
};

async function loadCommand(name: string): Promise<Command> {
  const command = await COMMANDS[name]();
  if (command.name !== name) throw new Error(`bug: the command listed as "${name}" calls itself "${command.name}"`);
  return command;
}

async function help(): Promise<string> {
  const commands = await Promise.all(Object.keys(COMMANDS).map(loadCommand));
  return `Usage: sealproof <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Run 'sealproof <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(await help());
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    console.error(`unknown command "${name}"\n\n${await help()}`);
    return 2;
  }
  const command = await loadCommand(name);
  try {
    return (await command.run(rest)) ?? 0;
  } catch (err) {
    if (err instanceof CliUsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`sealproof ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof ApiCallError) {
      console.error(`sealproof ${name}: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
