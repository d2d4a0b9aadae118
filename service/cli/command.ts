// The shape of a CLI command, and the error for a wrong invocation (exit code 2, as is customary).
export interface Command {
  name: string;
  summary: string;
  help: string;
  run(argv: string[]): Promise<void>;
}

export class CliUsageError extends Error {}
