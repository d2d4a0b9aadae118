// The company's evidence records for authenticated members only (public URLs never carry seq): by seq once the
// sequencer has numbered them, by record id from the moment they are accepted.
import { recordIdParam, recordsQuery, seqParam } from "../schemas";
import { evidenceRecord, loggedRecord, recordsPage } from "../responses";
import { getRecord, getRecordById, listRecords } from "../../domain/records";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

export function recordRoutes(api: Api, ctx: DomainContext): void {
  api.add(
    { method: "get", path: "/records", tag: "records", auth: "member", query: recordsQuery, status: 200, summary: `Page through the company's sequenced records by seq; records accepted but not yet sequenced are not listed (${rolesText("records.read")})`, response: recordsPage },
    async ({ actor, query }) => listRecords(ctx, actor, query.fromSeq, query.limit),
  );
  api.add({ method: "get", path: "/records/:seq", tag: "records", auth: "member", params: seqParam, status: 200, summary: `One of the company's records by seq (${rolesText("records.read")})`, response: evidenceRecord }, async ({ actor, params }) =>
    getRecord(ctx, actor, params.seq),
  );
  api.add(
    { method: "get", path: "/records/by-id/:id", tag: "records", auth: "member", params: recordIdParam, status: 200, summary: `One of the company's records by the id it got when accepted; seq is null until the sequencer numbers it, within a batch interval (${rolesText("records.read")})`, response: loggedRecord },
    async ({ actor, params }) => getRecordById(ctx, actor, params.id),
  );
}
