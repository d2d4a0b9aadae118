// Electronic seal usage: reserve a receipt id, then submit the signed TBS.
import { z } from "zod";
import { reserveBody, submitUsageBody } from "../schemas";
import { reserveReceipt, submitUsage } from "../../domain/usages";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

export function usageRoutes(api: Api, ctx: DomainContext): void {
  api.add<unknown, unknown, z.infer<typeof reserveBody>>(
    { method: "post", path: "/usages/reservations", tag: "usages", auth: "member", body: reserveBody, status: 201, summary: "Reserve an unguessable receipt id before stamping the document; writes no record", responds: "{ receipt, seal, expiresAt }" },
    async ({ actor, body }) => {
      const r = await reserveReceipt(ctx, actor, body.seal);
      return { receipt: r.id, seal: r.seal, expiresAt: r.expiresAt };
    },
  );
  api.add<unknown, unknown, z.infer<typeof submitUsageBody>>(
    { method: "post", path: "/usages", tag: "usages", auth: "member", body: submitUsageBody, status: 201, summary: "Record a usage: the TBS signed with the seal's SM2 key", responds: "{ seq, receipt, record }" },
    async ({ actor, body }) => {
      const record = await submitUsage(ctx, actor, body.tbs, body.signature);
      return { seq: record.seq, receipt: body.tbs.receipt, record };
    },
  );
}
