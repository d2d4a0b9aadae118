// Typed errors of the evidence core: callers and tests match on `code`, never on message text.

export type EvidenceErrorCode =
  | "NOT_CANONICAL_JSON"
  | "INVALID_HEX"
  | "INVALID_KEY"
  | "INVALID_SIGNATURE_FORMAT"
  | "INVALID_TREE_ARGUMENT";

export class EvidenceError extends Error {
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EvidenceError";
  }
}

/** A caller's mistake: bad arguments get a typed error. */
export function validateArgument(condition: boolean, code: EvidenceErrorCode, message: string): asserts condition {
  if (!condition) throw new EvidenceError(code, message);
}

/** Our own bug: an invariant that cannot fail unless the code is wrong. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}
