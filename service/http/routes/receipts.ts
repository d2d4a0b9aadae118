// Receipts: public by unguessable receipt id (rate-limited, no seq in any public URL), and by seq for
// members of the record's company. A usage's receipt comes with its seal's registration receipt, a stamp's with its story.
import { z } from "zod";
import { ids, recordsQuery, seqParam } from "../schemas";
import { receiptsPage, receiptView } from "../responses";
import { listReceipts, recordReceipt } from "../../domain/receipts";
import { publicReceiptView } from "../../devices/public-stamps";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { DeviceContext } from "../../devices/context";

const receiptParams = z.strictObject({ receiptId: ids.receipt });

export function receiptRoutes(api: Api, ctx: DomainContext, devices: () => DeviceContext): void {
  api.add(
    {
      method: "get", path: "/receipts/:receiptId", tag: "receipts", auth: "public", params: receiptParams, status: 200, rateLimited: true,
      summary:
        "A usage's or smart-seal stamp's receipt bundle by its receipt id (status anchored or pending), with the seal's and the company's registration receipts, " +
        "public seal facts and the linked documents' receipts; for a stamp also the device's registration and the story (request, approval, both custody " +
        "confirmations, authorization) and, when its scenario publishes photos, the photo's address. A receipt id that an unauthorized stamp claimed answers that stamp",
      response: receiptView,
    },
    async ({ params }) => publicReceiptView(devices(), params.receiptId),
  );
  api.add(
    { method: "get", path: "/records/:seq/receipt", tag: "receipts", auth: "member", params: seqParam, status: 200, summary: `The receipt bundle of one of the company's records (${rolesText("records.read")})`, response: receiptView },
    async ({ actor, params }) => recordReceipt(ctx, actor, params.seq),
  );
  api.add(
    { method: "get", path: "/receipts", tag: "receipts", auth: "member", query: recordsQuery, status: 200, summary: `Page through the receipts of the company's records by seq (${rolesText("records.read")})`, response: receiptsPage },
    async ({ actor, query }) => listReceipts(ctx, actor, query.fromSeq, query.limit),
  );
}
