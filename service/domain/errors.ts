// Typed domain errors; http/ maps each code to a status. Codes are part of the API: clients match on them.

export const DOMAIN_ERRORS = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CREDIT_CODE_INVALID: 422,
  CREDIT_CODE_TAKEN: 409,
  ID_NUMBER_INVALID: 422,
  REGISTRY_CHECK_FAILED: 422,
  SCENARIO_CODE_TAKEN: 409,
  MEMBER_INACTIVE: 409,
  LAST_LEGAL_REP: 409,
  SEAL_SUSPENDED: 409,
  SEAL_REVOKED: 409,
  SEAL_DESTROYED: 409,
  SEAL_STATE_INVALID: 409,
  SEAL_KIND_INVALID: 422,
  SEAL_FIELDS_INVALID: 422,
  REQUEST_OPEN: 409,
  SCENARIO_NOT_ALLOWED: 422,
  GRANT_MISSING: 403,
  GRANT_NOT_YET_VALID: 403,
  GRANT_EXPIRED: 403,
  GRANT_EXHAUSTED: 403,
  GRANT_WINDOW_INVALID: 422,
  APPROVAL_REQUIRED: 403,
  REQUEST_NOT_APPROVED: 409,
  REQUEST_MISMATCH: 422,
  REQUEST_STATE_INVALID: 409,
  SELF_APPROVAL: 403,
  DOCUMENT_HASH_MISMATCH: 422,
  SIGNER_MISMATCH: 403,
  SIGNATURE_INVALID: 422,
  SIGNED_AT_INVALID: 422,
  RESERVATION_EXPIRED: 410,
  RESERVATION_USED: 409,
  KEY_INVALID: 422,
  SELF_GRANT: 403,
  GRANT_EXCEEDS_GIVER: 403,
  DEVICE_SERIAL_TAKEN: 409,
  DEVICE_BOUND: 409,
  DEVICE_RETIRED: 409,
  DEVICE_NOT_LOCKED: 409,
  DEVICE_NOT_OUT_OF_ORDER: 409,
  DEVICE_NOT_BOUND: 409,
  AUTHORIZATION_CLOSED: 409,
  RECEIPT_INVALID: 422,
  RECEIPT_USED: 409,
  DUAL_CONTROL_SAME_MEMBER: 403,
  ALERT_RESOLVED: 409,
  WEBHOOK_URL_REFUSED: 422,
  WEBHOOK_LIMIT: 409,
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }

  get status(): number {
    return DOMAIN_ERRORS[this.code];
  }
}

export function refuse(code: DomainErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new DomainError(code, message, details);
}
