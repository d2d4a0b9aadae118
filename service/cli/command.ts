// The shape of a CLI command, and the error for a wrong invocation (exit code 2, as is customary).
export interface Command {
  name: string;
  summary: string;
  help: string;
  /** Resolves to the exit status (0 when nothing is returned). */
  run(argv: string[]): Promise<number | void>;
}

export class CliUsageError extends Error {}
