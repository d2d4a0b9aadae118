// RegistryCheck port and its default: checks the unified social credit code (GB 32100) and the legal
// representative's resident ID number (GB 11643) by format and check character, and says that is all it did.
import { randomInt } from "node:crypto";

export interface RegistryCheckInput {
  creditCode: string;
  legalRepName: string;
  legalRepIdNumber: string;
}

export interface RegistryCheckResult {
  ok: boolean;
  method: string;
  note: string;
  problems: Array<"CREDIT_CODE_INVALID" | "ID_NUMBER_INVALID">;
}

export interface RegistryCheck {
  check(input: RegistryCheckInput): Promise<RegistryCheckResult>;
}

const CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = "10X98765432";

/** GB 32100-2015: 18 characters from a 31-letter alphabet, the last a mod-31 check character. */
export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17];
}

function creditCodeCheckCharacter(first17: string): string {
  const sum = CREDIT_CODE_WEIGHTS.reduce((acc, w, i) => acc + CREDIT_CODE_CHARS.indexOf(first17[i]) * w, 0);
  return CREDIT_CODE_CHARS[(31 - (sum % 31)) % 31];
}

/** A random, well-formed credit code with a correct check character: for demos, tests and benchmarks. */
export function randomCreditCode(): string {
  const first17 = Array.from({ length: 17 }, () => CREDIT_CODE_CHARS[randomInt(CREDIT_CODE_CHARS.length)]).join("");
  return first17 + creditCodeCheckCharacter(first17);
}

/** GB 11643-1999: 17 digits with a real birth date, then a mod-11 check character (0-9 or X). */
export function isValidResidentIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const birth = new Date(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}T00:00:00Z`);
  if (Number.isNaN(birth.getTime()) || birth.toISOString().slice(0, 10).replace(/-/g, "") !== id.slice(6, 14)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + Number(id[i]) * w, 0);
  return ID_CHECK_CHARS[sum % 11] === id[17];
}

export const formatRegistryCheck: RegistryCheck = {
  async check(input) {
    const problems: RegistryCheckResult["problems"] = [];
    if (!isValidCreditCode(input.creditCode)) problems.push("CREDIT_CODE_INVALID");
    if (!isValidResidentIdNumber(input.legalRepIdNumber)) problems.push("ID_NUMBER_INVALID");
    return {
      ok: problems.length === 0,
      method: "format-and-check-digits",
      note: "Only formats and check characters were checked (GB 32100, GB 11643); the business licence and legal representative were not confirmed with a registry.",
      problems,
    };
  },
};
