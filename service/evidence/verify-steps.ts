// The steps of receipt verification and their closed set of failure codes; every result names one of each.

export type VerifyStep = "format" | "deployment" | "receipt" | "leaf" | "position" | "chain" | "proof" | "anchor" | "signature" | "company" | "approval" | "custody" | "authorization";

export type VerifyCode =
  | "FORMAT_INVALID"
  | "DEPLOYMENT_NOT_TRUSTED"
  | "RECEIPT_ID_MISMATCH"
  | "RECORD_NOT_CANONICAL"
  | "LEAF_MISMATCH"
  | "POSITION_MISMATCH"
  | "CHAIN_UNREACHABLE"
  | "CHAIN_MISMATCH"
  | "BATCH_NOT_ON_CHAIN"
  | "BATCH_RANGE_MISMATCH"
  | "ROOT_MISMATCH"
  | "PROOF_INVALID"
  | "ANCHOR_TX_NOT_FOUND"
  | "ANCHOR_TX_MISMATCH"
  | "SEAL_RECEIPT_MISSING"
  | "SEAL_RECEIPT_INVALID"
  | "SIGNATURE_INVALID"
  | "DEVICE_RECEIPT_MISSING"
  | "DEVICE_RECEIPT_INVALID"
  | "COMPANY_RECEIPT_INVALID"
  | "APPROVAL_INVALID"
  | "CUSTODY_INVALID"
  | "AUTHORIZATION_MISSING"
  | "AUTHORIZATION_INVALID"
  | "AUTHORIZATION_OTHER_DEVICE"
  | "AUTHORIZATION_NOT_BEFORE_STAMP"
  | "RECEIPT_NOT_AUTHORIZED"
  | "OUTSIDE_AUTHORIZED_WINDOW"
  | "STAMP_UNAUTHORIZED";

export interface StepResult {
  step: VerifyStep;
  ok: boolean;
  code?: VerifyCode;
  message: string;
}

export const pass = (step: VerifyStep, message: string): StepResult => ({ step, ok: true, message });
export const fail = (step: VerifyStep, code: VerifyCode, message: string): StepResult => ({ step, ok: false, code, message });
