// The `sealproof` command: dispatches to one module per subcommand.
import { ApiCallError } from "./http-client";
import { CliUsageError, type Command } from "./command";
import { companyCommand } from "./company";
import { keygenCommand } from "./keygen";
import { signCommand } from "./sign";
import { verifyCommand } from "./verify";
import { sealPdfCommand } from "./seal-pdf";
import { trustCommand } from "./trust";
import { backupCommand } from "./backup";
import { restoreCommand } from "./restore";
import { verifyLogCommand } from "./verify-log";
import { deviceCommand } from "./device";
import { auditCommand } from "./audit";

const COMMANDS: Command[] = [companyCommand, keygenCommand, signCommand, sealPdfCommand, verifyCommand, trustCommand, backupCommand, restoreCommand, verifyLogCommand, deviceCommand, auditCommand];

const HELP = `Usage: sealproof <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Run 'sealproof <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
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
