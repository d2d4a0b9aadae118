// `audit verify`'s core: an audit bundle judged against the chain alone. Every receipt (verifyReceipt, a batch at a
// time), the company's cseq/prev chain, every usage's and stamp's SM2 signature; nothing the bundle's header says is
// trusted, and the deployment is the one the verifier pinned.
import fs from "node:fs";
import { parseReceipt, RECEIPT_FORMAT, verifyReceipt, type ChainReader, type Deployment, type EvidenceRecord } from "../evidence";
import type { Sm2Pool } from "../workers/sm2-pool";
import { AUDIT_FORMAT, WHOLE_LOG, type AuditEnd, type AuditHeader } from "./bundle";
import { BatchReceipts, cachedChain, placeOf } from "./batch-receipts";
import { bundleLines, closingLines, closingRun, type ClosingRun } from "./bundle-reader";
import { CompanyChain } from "./company-chain";
import type { Finding, FindingCode } from "./findings";
import { registrationKey, SignatureChecks, type Registrations } from "./signatures";

export interface AuditVerifyOptions {
  deployment: Deployment;
  chain: ChainReader;
  /** The SM2 pool signatures are checked on; null skips signatures (--no-signatures). */
  pool: Sm2Pool | null;
  /** Told as the bundle is read: bytes so far of the file's size, and receipts judged. */
  onProgress?: (bytes: number, totalBytes: number, receipts: number) => void;
}

export interface AuditVerifyReport {
  verdict: "verified" | "failed" | "inconclusive";
  header: AuditHeader | null;
  receipts: number;
  batches: number;
  registrations: number;
  /** Signatures checked (usages and stamps); null when signatures were skipped. */
  signatures: number | null;
  /** Records of the range the bundle says it left out because they were not anchored yet. */
  pending: number | null;
  findings: Finding[];
  /** Findings beyond those listed (a bundle broken throughout). */
  moreFindings: number;
  inconclusive: string | null;
  seconds: number;
}

const LISTED_FINDINGS = 10_000;
const REGISTRATION = '{"registration"';
/** Codes that say the chain could not be asked, not that the bundle is wrong. */
const INCONCLUSIVE = new Set<FindingCode>(["CHAIN_UNREACHABLE", "CHAIN_MISMATCH"]);

export async function verifyAuditBundle(file: string, options: AuditVerifyOptions): Promise<AuditVerifyReport> {
  const started = performance.now();
  const chain = cachedChain(options.chain);
  const report: AuditVerifyReport = { verdict: "verified", header: null, receipts: 0, batches: 0, registrations: 0, signatures: null, pending: null, findings: [], moreFindings: 0, inconclusive: null, seconds: 0 };
  const find = (finding: Finding) => {
    if (INCONCLUSIVE.has(finding.code)) report.inconclusive ??= finding.message;
    else if (report.findings.length < LISTED_FINDINGS) report.findings.push(finding);
    else report.moreFindings++;
  };
  // The format puts the registrations after the receipts, before the end line: read from there, not searched for.
  const closing = await closingRun(file, REGISTRATION);
  const registrations = await judgeRegistrations(file, closing, chain, options.deployment, find);
  report.registrations = registrations.size;
  const receipts = new BatchReceipts(chain, options.deployment, (place, step) => find({ code: step.code ?? "FORMAT_INVALID", ...place, check: step.step, message: step.message }));
  const signatures = options.pool === null ? null : new SignatureChecks(options.pool, registrations);
  const chains = new Map<string, CompanyChain>();
  const totalBytes = fs.statSync(file).size;
  let end: AuditEnd | null = null;
  let lastBatch: number | null = null;
  let lineNo = 0;
  /** Line numbers of the registration lines met, each to be one of the closing run's. */
  const registrationLines: number[] = [];
  /** A receipt line judged, the short way or the long: the company's chain and the signatures take it from here. */
  const judged = (record: EvidenceRecord, leaf: string, predecessor: boolean): Promise<void> | undefined => {
    const where = placeOf(record);
    const companyChain = chains.get(record.company) ?? new CompanyChain();
    chains.set(record.company, companyChain);
    if (predecessor) {
      if (record.v === 2) companyChain.link(record.cseq, leaf);
      return;
    }
    for (const problem of companyChain.add(record, leaf)) find({ ...where, code: problem.code, cseq: problem.cseq, check: "company-chain", message: problem.message });
    if (signatures === null || !SignatureChecks.applies(record)) return undefined;
    return signatures.submit(record, (outcome) => {
      if (!outcome.ok) find({ code: outcome.code, ...where, check: "signature", message: outcome.message });
    });
  };
  const countBatch = (id: number) => {
    if (id === lastBatch) return;
    lastBatch = id;
    report.batches++;
  };
  let read = 0;
  for await (const lines of bundleLines(file)) {
    for (const bytes of lines) {
      lineNo++;
      read += bytes.length + 1;
      if (lineNo === 1) {
        report.header = parseHeader(bytes.toString("utf8"));
        if (report.header === null) {
          find({ code: "HEADER_INVALID", cseq: null, receipt: null, check: "bundle", message: "the first line is not a sealproof-audit/1 header" });
          break;
        }
        continue;
      }
      const header = report.header as AuditHeader;
      if (end !== null) {
        find({ code: "LINE_INVALID", cseq: null, receipt: null, check: "bundle", message: `line ${lineNo} follows the end line` });
        continue;
      }
      const progress = () => options.onProgress?.(read, totalBytes, report.receipts);
      const short = receipts.judgeLine(bytes, header.company === WHOLE_LOG ? null : header.company);
      if (short !== null) {
        report.receipts++;
        countBatch(short.batch);
        const room = judged(short.record, short.leaf, false);
        if (room !== undefined) await room;
        progress();
        continue;
      }
      const value = parseJson(bytes.toString("utf8"));
      if (isObject(value) && "registration" in value) {
        registrationLines.push(lineNo);
        continue;
      }
      if (isObject(value) && "end" in value) {
        end = parseEnd(value.end);
        if (end === null) find({ code: "LINE_INVALID", cseq: null, receipt: null, check: "bundle", message: `line ${lineNo}: a malformed end line` });
        continue;
      }
      const predecessor = isObject(value) && "predecessor" in value;
      const input = predecessor ? (value as { predecessor: unknown }).predecessor : value;
      if (!isObject(input) || input.format !== RECEIPT_FORMAT) {
        find({ code: "LINE_INVALID", cseq: null, receipt: null, check: "bundle", message: `line ${lineNo} is not a receipt, registration, predecessor or end line` });
        continue;
      }
      const parsed = parseReceipt(input);
      if (!parsed.ok) {
        find({ code: "FORMAT_INVALID", cseq: null, receipt: null, check: "format", message: `line ${lineNo}: ${parsed.reason}` });
        if (!predecessor) report.receipts++;
        continue;
      }
      const record = parsed.bundle.record;
      if (!predecessor) report.receipts++;
      if (header.company !== WHOLE_LOG && record.company !== header.company) {
        find({ code: "OTHER_COMPANY", ...placeOf(record), check: "company-chain", message: `record seq ${record.seq} is of company ${record.company}, the bundle is of ${header.company}` });
        continue;
      }
      countBatch(parsed.bundle.batch.id);
      const leaf = await receipts.judge(input, parsed.bundle, placeOf(record));
      await judged(record, leaf ?? parsed.bundle.proof.leaf, predecessor);
      if (!predecessor) progress();
    }
    if (report.header === null) break;
  }
  await receipts.settled();
  await signatures?.drain();
  for (const companyChain of chains.values()) for (const gap of companyChain.gaps()) find({ code: gap.code, cseq: gap.cseq, receipt: null, check: "company-chain", message: gap.message });
  if (report.header !== null) {
    if (end === null) find({ code: "BUNDLE_TRUNCATED", cseq: null, receipt: null, check: "bundle", message: `the bundle ends after ${report.receipts} receipts without its end line` });
    else if (end.receipts !== report.receipts) find({ code: "COUNT_MISMATCH", cseq: null, receipt: null, check: "bundle", message: `the end line counts ${end.receipts} receipts, the bundle holds ${report.receipts}` });
    checkRangeStart(report.header, chains, find);
    checkRegistrationsPlaced(registrationLines, closing, lineNo, find);
  }
  report.pending = end?.pending ?? null;
  report.signatures = signatures?.checked ?? null;
  report.findings.sort((a, b) => (a.cseq ?? -1) - (b.cseq ?? -1));
  report.verdict = report.findings.length > 0 ? "failed" : report.inconclusive !== null ? "inconclusive" : "verified";
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/**
 * Pass one: the registration receipts of the run of registration lines that closes the bundle, each verified in the
 * pinned deployment, by type, company and subject.
 */
async function judgeRegistrations(file: string, closing: ClosingRun, chain: ChainReader, deployment: Deployment, find: (f: Finding) => void): Promise<Registrations> {
  const registrations: Registrations = new Map();
  for await (const line of closingLines(file, closing)) {
    const text = line.toString("utf8");
    const input = (parseJson(text) as { registration?: unknown } | null)?.registration;
    const report = await verifyReceipt(input, chain, { deployment });
    const record: EvidenceRecord | null = report.record;
    if (record === null) {
      find({ code: report.code ?? "FORMAT_INVALID", cseq: null, receipt: null, check: "registration", message: `a registration receipt: ${report.steps.find((s) => !s.ok)?.message ?? "malformed"}` });
      continue;
    }
    if (!report.ok) {
      const step = report.steps.find((s) => !s.ok);
      find({ code: report.code ?? "FORMAT_INVALID", cseq: record.v === 2 ? record.cseq : null, receipt: null, check: `registration ${step?.step ?? ""}`.trim(), message: `${record.type} of ${record.subject}: ${step?.message ?? ""}` });
    }
    registrations.set(registrationKey(record.type, record.company, record.subject), { record: report.ok ? record : null });
  }
  return registrations;
}

/** A cseq range asked from a given place must start there: the service cannot quietly leave out its first records. */
function checkRangeStart(header: AuditHeader, chains: Map<string, CompanyChain>, find: (f: Finding) => void): void {
  if (header.range.by !== "cseq" || header.range.from === null) return;
  const first = chains.get(header.company)?.first ?? null;
  if (first !== null && first > header.range.from) {
    find({ code: "CSEQ_GAP", cseq: header.range.from, receipt: null, check: "company-chain", message: `the range starts at cseq ${header.range.from}, the bundle's first record is cseq ${first}` });
  }
}

/** A registration line anywhere but in the closing run was not judged, so signatures cannot lean on it: a finding. */
function checkRegistrationsPlaced(registrationLines: number[], closing: ClosingRun, lines: number, find: (f: Finding) => void): void {
  const last = lines - closing.after;
  const first = last - closing.count + 1;
  for (const at of registrationLines) {
    if (at >= first && at <= last) continue;
    find({ code: "REGISTRATION_MISPLACED", cseq: null, receipt: null, check: "bundle", message: `line ${at} is a registration outside the registration lines that close the bundle before its end line, and was not used` });
  }
}

function parseHeader(text: string): AuditHeader | null {
  const value = parseJson(text);
  if (!isObject(value) || value.format !== AUDIT_FORMAT || typeof value.company !== "string" || !isObject(value.range)) return null;
  const range = value.range;
  const by = range.by;
  const bound = (v: unknown, kind: "string" | "number") => (v === null || v === undefined ? null : typeof v === kind ? v : undefined);
  let parsedRange: AuditHeader["range"];
  if (by === "all") parsedRange = { by: "all" };
  else if (by === "time" && bound(range.from, "string") !== undefined && bound(range.to, "string") !== undefined) parsedRange = { by, from: bound(range.from, "string") as string | null, to: bound(range.to, "string") as string | null };
  else if (by === "cseq" && bound(range.from, "number") !== undefined && bound(range.to, "number") !== undefined) parsedRange = { by, from: bound(range.from, "number") as number | null, to: bound(range.to, "number") as number | null };
  else return null;
  const chainId = typeof value.chainId === "number" ? value.chainId : null;
  const contract = typeof value.contract === "string" ? value.contract : null;
  return { format: AUDIT_FORMAT, company: value.company, range: parsedRange, chainId, contract, exportedAt: typeof value.exportedAt === "string" ? value.exportedAt : "" };
}

function parseEnd(value: unknown): AuditEnd | null {
  if (!isObject(value)) return null;
  const { receipts, pending, registrations } = value;
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  return count(receipts) && count(pending) && count(registrations) ? { receipts, pending, registrations } : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
