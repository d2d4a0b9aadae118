// Documents and record drafts for the store tests: valid shapes with only the fields a test cares about varying.
import type { Company, Member, Scenario } from "../../service/domain/model";
import type { RecordDraft } from "../../service/store/port";
import type { JsonValue, RecordType } from "../../service/evidence";

const AT = "2026-11-22T08:00:00.000Z";

export function company(id: string, creditCode: string, name = `Company ${id}`): Company {
  return {
    id,
    company: id,
    name,
    creditCode,
    legalRepName: "张三",
    legalRepIdNumber: "11010519491231002X",
    registryCheck: { checkedAt: AT, method: "format", ok: true, note: "formats and check digits only" },
    createdAt: AT,
  };
}

export function member(id: string, companyId: string, fields: Partial<Member> = {}): Member {
  return { id, company: companyId, name: `Member ${id}`, roles: ["employee"], department: "sales", active: true, createdAt: AT, ...fields };
}

export function scenario(id: string, companyId: string, code: string): Scenario {
  return {
    id,
    company: companyId,
    code,
    name: `Scenario ${code}`,
    sealKinds: ["electronic"],
    sealTypes: ["contract"],
    approval: "none",
    dualControl: false,
    createdAt: AT,
  };
}

export function draft(companyId: string, data: { [key: string]: JsonValue } = {}, type: RecordType = "member.added"): RecordDraft {
  return { type, at: AT, company: companyId, subject: "m_subject", actor: "m_actor", data };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
