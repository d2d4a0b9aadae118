// The company's evidence records, by seq, for authenticated members only (public URLs never carry seq).
import { z } from "zod";
import { recordsQuery, seqParam } from "../schemas";
import { getRecord, listRecords } from "../../domain/records";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

export function recordRoutes(api: Api, ctx: DomainContext): void {
  api.add<unknown, z.infer<typeof recordsQuery>>(
    { method: "get", path: "/records", tag: "records", auth: "member", query: recordsQuery, status: 200, summary: `Page through the company's records (${rolesText("records.read")})`, responds: "{ records, nextFromSeq }" },
    async ({ actor, query }) => listRecords(ctx, actor, query.fromSeq, query.limit),
  );
  api.add<z.infer<typeof seqParam>>({ method: "get", path: "/records/:seq", tag: "records", auth: "member", params: seqParam, status: 200, summary: `One of the company's records by seq (${rolesText("records.read")})`, responds: "the record" }, async ({ actor, params }) =>
    getRecord(ctx, actor, params.seq),
  );
}
