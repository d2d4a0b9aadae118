// Receipts: public by unguessable receipt id (rate-limited, no seq in any public URL), and by seq for
// members of the record's company. A usage's receipt comes with its seal's registration receipt.
import { z } from "zod";
import { ids, recordsQuery, seqParam } from "../schemas";
import { receiptFor, type ReceiptLookup } from "../../anchoring/receipts";
import { getRecord, listRecords } from "../../domain/records";
import { refuse } from "../../domain/errors";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { EvidenceRecord, ReceiptBundle } from "../../evidence";
import type { Seal } from "../../domain/model";

const receiptParams = z.strictObject({ receiptId: ids.receipt });

export interface ReceiptView {
  status: ReceiptLookup["status"];
  receipt?: unknown;
  sealReceipt?: unknown;
  /** The company's `company.registered` receipt, once anchored. */
  companyReceipt?: unknown;
  seal?: { company: string; name: string; kind: string; type: string; status: string };
}

export function receiptRoutes(api: Api, ctx: DomainContext): void {
  api.add<z.infer<typeof receiptParams>>(
    {
      method: "get", path: "/receipts/:receiptId", tag: "receipts", auth: "public", params: receiptParams, status: 200, rateLimited: true,
      summary: "A usage's receipt bundle by its receipt id, with the seal's registration receipt and public seal facts",
      responds: "{ status: anchored | pending, receipt, sealReceipt, companyReceipt, seal }",
    },
    async ({ params }) => {
      const record = await ctx.store.records.getByReceipt(params.receiptId);
      if (record === null) refuse("NOT_FOUND", "no receipt with this id");
      return view(ctx, record, true);
    },
  );
  api.add<z.infer<typeof seqParam>>(
    { method: "get", path: "/records/:seq/receipt", tag: "receipts", auth: "member", params: seqParam, status: 200, summary: "The receipt bundle of one of the company's records", responds: "{ status, receipt, sealReceipt }" },
    async ({ actor, params }) => view(ctx, await getRecord(ctx, actor, params.seq), false),
  );
  api.add<unknown, z.infer<typeof recordsQuery>>(
    { method: "get", path: "/receipts", tag: "receipts", auth: "member", query: recordsQuery, status: 200, summary: "Page through the receipts of the company's records (legal_rep, seal_admin, auditor)", responds: "{ receipts, nextFromSeq }" },
    async ({ actor, query }) => {
      const page = await listRecords(ctx, actor, query.fromSeq, query.limit);
      const receipts = await Promise.all(page.records.map(async (r) => ({ seq: r.seq, ...(await receiptFor(ctx.store, r)) })));
      return { receipts: receipts.map((r) => (r.status === "anchored" ? { seq: r.seq, status: r.status, receipt: r.receipt } : { seq: r.seq, status: r.status })), nextFromSeq: page.nextFromSeq };
    },
  );
}

async function view(ctx: DomainContext, record: EvidenceRecord, publicFacts: boolean): Promise<ReceiptView> {
  const lookup = await receiptFor(ctx.store, record);
  const out: ReceiptView = { status: lookup.status };
  if (lookup.status === "anchored") out.receipt = lookup.receipt;
  const companyReceipt = await companyRegistrationReceipt(ctx, record.company);
  if (companyReceipt) out.companyReceipt = companyReceipt;
  if (record.type !== "seal.used") return out;
  const seal = await ctx.store.seals.get(record.subject);
  if (seal === null) return out;
  const registration = await ctx.store.records.get(seal.registeredSeq);
  if (registration) {
    const sealLookup = await receiptFor(ctx.store, registration);
    if (sealLookup.status === "anchored") out.sealReceipt = sealLookup.receipt;
  }
  if (publicFacts) out.seal = await sealFacts(ctx, seal);
  return out;
}

/** The company's first record is its `company.registered`, which carries its registered name and credit code. */
async function companyRegistrationReceipt(ctx: DomainContext, company: string): Promise<ReceiptBundle | null> {
  const [first] = await ctx.store.records.list({ company, fromSeq: 0, limit: 1 });
  if (first === undefined || first.type !== "company.registered") return null;
  const lookup = await receiptFor(ctx.store, first);
  return lookup.status === "anchored" ? lookup.receipt : null;
}

/** What the service says of the seal now; the page shows the anchored facts from the receipts instead where they exist. */
async function sealFacts(ctx: DomainContext, seal: Seal): Promise<NonNullable<ReceiptView["seal"]>> {
  const company = await ctx.store.companies.get(seal.company);
  return { company: company?.name ?? "", name: seal.name, kind: seal.kind, type: seal.type, status: seal.status };
}
