// The SM2 signatures of a bundle's usages and stamps, checked on the worker pool against the keys in the seals' and
// devices' registration receipts (verified themselves, in the pinned deployment), with a bounded number in flight.
import { usageTbsFromRecord, type EvidenceRecord, type VerifyCode } from "../evidence";
import { deviceMessageBytes } from "../evidence/device-message";
import { stampMessageFromRecord } from "../evidence/stamp";
import type { Sm2Pool } from "../workers/sm2-pool";

/** A registration receipt as the verifier judged it: its record when it verified, null when it did not. */
export type JudgedRegistration = { record: EvidenceRecord | null };

export type Registrations = Map<string, JudgedRegistration>;

export function registrationKey(type: string, company: string, subject: string): string {
  return `${type} ${company} ${subject}`;
}

export type SignatureOutcome = { ok: true } | { ok: false; code: VerifyCode; message: string };

/**
 * Verifications handed to a pool thread at once (createSm2Pool's chunk): audit verify's event loop spends tens of
 * milliseconds at a time reading the bundle, and with the service's small chunks the threads waited for it to hand
 * them their next one. 256 keep each thread busy for over 100 ms.
 */
export const AUDIT_SM2_CHUNK = 256;

/** Signatures in flight at most: 16 chunks, so a thread finishing a chunk finds the next one ready; few enough to bound memory. */
const IN_FLIGHT = 4096;

export class SignatureChecks {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Promise<void>>();
  checked = 0;

  constructor(
    private readonly pool: Sm2Pool,
    private readonly registrations: Registrations,
  ) {}

  /** Whether the record carries a signature to check (usages and stamps). */
  static applies(record: EvidenceRecord): boolean {
    return record.type === "seal.used" || record.type === "seal.stamped";
  }

  /** Queues the record's check; `report` hears the outcome. Resolves once there is room for the next one. */
  async submit(record: EvidenceRecord, report: (outcome: SignatureOutcome) => void): Promise<void> {
    while (this.inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    const done = this.check(record)
      .then(report, (err: unknown) => report({ ok: false, code: "SIGNATURE_INVALID", message: `the signature could not be checked: ${err instanceof Error ? err.message : String(err)}` }))
      .finally(() => {
        this.inFlight--;
        this.checked++;
        this.running.delete(done);
        this.waiting.shift()?.();
      });
    this.running.add(done);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async check(record: EvidenceRecord): Promise<SignatureOutcome> {
    if (record.type === "seal.used") {
      const usage = usageTbsFromRecord(record);
      if (usage === null) return { ok: false, code: "SIGNATURE_INVALID", message: "the usage record does not carry a signed TBS" };
      const key = this.keyOf(record, "seal.registered", record.subject);
      if (typeof key !== "string") return key;
      return (await this.pool.verify(usage.tbs, usage.signature, key)) ? { ok: true } : { ok: false, code: "SIGNATURE_INVALID", message: "the SM2 signature does not verify with the seal's registered public key" };
    }
    if (record.data.manual === true) return { ok: true };
    const stamp = stampMessageFromRecord(record);
    if (stamp === null) return { ok: false, code: "SIGNATURE_INVALID", message: "the stamp record does not carry the device's signature" };
    const key = this.keyOf(record, "device.registered", stamp.message.device);
    if (typeof key !== "string") return key;
    const ok = await this.pool.verifyMessage(deviceMessageBytes(stamp.message), stamp.signature, key);
    return ok ? { ok: true } : { ok: false, code: "SIGNATURE_INVALID", message: "the device's SM2 signature over the stamp does not verify with its registered public key" };
  }

  /** The public key of the seal or device in its verified registration, of the same company and registered before the record. */
  private keyOf(record: EvidenceRecord, type: "seal.registered" | "device.registered", subject: string): string | SignatureOutcome {
    const what = type === "seal.registered" ? "seal" : "device";
    const registration = this.registrations.get(registrationKey(type, record.company, subject));
    if (registration === undefined) {
      return { ok: false, code: what === "seal" ? "SEAL_RECEIPT_MISSING" : "DEVICE_RECEIPT_MISSING", message: `the bundle holds no registration receipt of ${what} ${subject}` };
    }
    const registered = registration.record;
    const publicKey = registered?.data.publicKey;
    if (registered === null || registered.seq >= record.seq || typeof publicKey !== "string") {
      return { ok: false, code: what === "seal" ? "SEAL_RECEIPT_INVALID" : "DEVICE_RECEIPT_INVALID", message: `the ${what}'s registration receipt does not verify, or comes after the record` };
    }
    return publicKey;
  }
}
