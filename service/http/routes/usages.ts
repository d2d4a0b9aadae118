// Electronic seal usage: reserve a receipt id, then submit the signed TBS.
import { reserveBody, submitUsageBody } from "../schemas";
import { reservation, usage } from "../responses";
import { reserveReceipt, submitUsage } from "../../domain/usages";
import { usageOutcomes } from "../../metrics";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import { ownBaseUrl } from "./receipt-qr";
import { verifyPageUrl } from "../../evidence";

/** `publicBaseUrl` undefined: verify links point at the service's own address, as the QR routes do. */
export function usageRoutes(api: Api, ctx: DomainContext, publicBaseUrl?: string): void {
  api.add(
    { method: "post", path: "/usages/reservations", tag: "usages", auth: "member", body: reserveBody, status: 201, summary: "Reserve an unguessable receipt id before stamping the document; writes no record. verifyUrl is what the QR on the document encodes", response: reservation },
    async ({ actor, body, req }) => {
      const r = await reserveReceipt(ctx, actor, body.seal);
      return { receipt: r.id, seal: r.seal, expiresAt: r.expiresAt, verifyUrl: verifyPageUrl(publicBaseUrl ?? ownBaseUrl(req), r.id) };
    },
  );
  api.add(
    { method: "post", path: "/usages", tag: "usages", auth: "member", body: submitUsageBody, status: 201, outcomes: usageOutcomes, summary: "Record a usage: the TBS signed with the seal's SM2 key (tbs.sourceDocumentHash: the approved original, when the sealed file is a stamped copy of it)", response: usage },
    async ({ actor, body }) => {
      const { id, record } = await submitUsage(ctx, actor, body.tbs, body.signature);
      return { id, receipt: body.tbs.receipt, record };
    },
  );
}
