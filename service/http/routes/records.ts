// The company's evidence records, by seq, for authenticated members only (public URLs never carry seq).
import { recordsQuery, seqParam } from "../schemas";
import { evidenceRecord, recordsPage } from "../responses";
import { getRecord, listRecords } from "../../domain/records";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

export function recordRoutes(api: Api, ctx: DomainContext): void {
  api.add(
    { method: "get", path: "/records", tag: "records", auth: "member", query: recordsQuery, status: 200, summary: `Page through the company's records by seq (${rolesText("records.read")})`, response: recordsPage },
    async ({ actor, query }) => listRecords(ctx, actor, query.fromSeq, query.limit),
  );
  api.add({ method: "get", path: "/records/:seq", tag: "records", auth: "member", params: seqParam, status: 200, summary: `One of the company's records by seq (${rolesText("records.read")})`, response: evidenceRecord }, async ({ actor, params }) =>
    getRecord(ctx, actor, params.seq),
  );
}
