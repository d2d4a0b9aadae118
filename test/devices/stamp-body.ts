// The body of a `stamp` message as the MQTT tests and the simulator's tests sign it: no authorization, no location.
import type { JsonValue } from "../../service/evidence";

export function stampBody(stampNo: number, authorization: string | null = null): { [key: string]: JsonValue } {
  return { stampNo, authorization, receipt: null, operator: { method: "fingerprint", ref: "op-7" }, locationCommitment: null, photoHash: "ab".repeat(32) };
}
