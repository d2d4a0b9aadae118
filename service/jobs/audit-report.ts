// The monthly audit job: at the first time AUDIT_SCHEDULE names in a month (UTC), last month's PDF report is issued
// for every company and sent to the company's webhooks. One node at a time (the job runner's lease), one company per
// pass so the lease is renewed between reports; a month's report is issued once per company, however often the job
// runs or on however many nodes, because each company is checked for the job's record of that month first.
import { Cron } from "croner";
import { issueReport, monthPeriod, previousMonth } from "../audit/report";
import type { Store, Tx } from "../domain/schema";
import { enqueueReportDeliveries } from "../webhooks/enqueue";
import { JobRunner } from "./runner";
import { RegisteredCompanies } from "./audit-report-companies";

/** The actor of the job's audit.report-issued records: what tells its reports from those members ask for. */
export const AUDIT_JOB_ACTOR = "audit-schedule";

export interface AuditReportJobOptions {
  /** A cron pattern, read in UTC (AUDIT_SCHEDULE). */
  schedule: string;
  holder: string;
  /** Where the reports' verify links point. */
  publicBaseUrl: string;
  now: () => Date;
  log: (line: string) => void;
  /** How often a node looks whether a month is due (and a standby node whether the lease is free). */
  pollMs?: number;
}

const POLL_MS = 60_000;
/** Longer than one company's report takes to build and render, so that a lease is never lost mid-report. */
const LEASE_TTL_MS = 15 * 60_000;
const UTC = "Etc/UTC";

/** Last month, once the schedule's first time in the current month (UTC) has come; null before it. */
export function dueMonth(schedule: Cron, now: Date): string | null {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const first = schedule.nextRun(new Date(monthStart - 1));
  return first !== null && first.getTime() <= now.getTime() ? previousMonth(now) : null;
}

/** Whether the job's audit.report-issued record of `month` exists for `company`, other than `except` (one just appended). */
export async function issuedByJob(records: Tx["records"], company: string, month: string, except?: string): Promise<boolean> {
  let after: string | undefined;
  do {
    const page = await records.page({ company, type: "audit.report-issued", from: monthPeriod(month).to }, { after, limit: 100 });
    if (page.items.some(({ id, record }) => id !== except && record.actor === AUDIT_JOB_ACTOR && record.data.month === month)) return true;
    after = page.next ?? undefined;
  } while (after !== undefined);
  return false;
}

class AlreadyIssued extends Error {}

export class AuditReportJob {
  private readonly runner: JobRunner;
  private readonly schedule: Cron;
  private readonly registered: RegisteredCompanies;
  private timer: Cron | null = null;
  /** The month being issued and the companies still to go. */
  private queue: { month: string; companies: string[]; failed: string[] } | null = null;
  private doneFor: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: AuditReportJobOptions,
  ) {
    this.schedule = new Cron(options.schedule, { timezone: UTC, paused: true });
    this.registered = new RegisteredCompanies(store.records);
    const { holder, now, log, pollMs = POLL_MS } = options;
    this.runner = new JobRunner(store.leases, { pass: () => this.issueNext() }, { name: "audit-report", holder, leaseTtlMs: LEASE_TTL_MS, pollMs, now, log });
  }

  /** Starts the loop, woken at each scheduled time; a month already due (a node started after the 1st) is issued at once. */
  start(): void {
    this.timer = new Cron(this.options.schedule, { timezone: UTC }, () => this.runner.nudge());
    this.runner.start();
  }

  async stop(): Promise<void> {
    this.timer?.stop();
    await this.runner.stop();
  }

  /** One pass under the lease: false on standby, when no month is due, or once the due month is done. */
  pass(): Promise<boolean> {
    return this.runner.pass();
  }

  private async issueNext(): Promise<boolean> {
    const now = this.options.now();
    const month = dueMonth(this.schedule, now);
    if (month === null || month === this.doneFor) return false;
    if (this.queue?.month !== month) {
      const end = monthPeriod(month).to;
      this.queue = { month, companies: (await this.registered.all()).filter((c) => c.registeredAt < end).map((c) => c.id), failed: [] };
    }
    const company = this.queue.companies.shift();
    if (company === undefined) {
      // A company whose report failed is tried again at the next poll, without holding up the others.
      if (this.queue.failed.length > 0) this.queue = { month, companies: this.queue.failed, failed: [] };
      else this.doneFor = month;
      return false;
    }
    try {
      await this.issue(company, month, now);
    } catch (err) {
      this.queue.failed.push(company);
      this.options.log(`audit-report: ${month} for ${company} failed: ${err instanceof Error ? err.message : String(err)}; trying again later`);
    }
    return true;
  }

  private async issue(company: string, month: string, now: Date): Promise<void> {
    if (await issuedByJob(this.store.records, company, month)) return;
    try {
      const issued = await issueReport(this.store, company, month, "pdf", {
        actor: AUDIT_JOB_ACTOR,
        now,
        publicBaseUrl: this.options.publicBaseUrl,
        onIssued: async (tx, record, report, reportHash) => {
          // Checked again in the transaction that records it: a node that lost the lease mid-report writes nothing.
          if (await issuedByJob(tx.records, company, month, record)) throw new AlreadyIssued();
          await enqueueReportDeliveries(tx, { company, month, receipt: report.receipt, verifyUrl: report.verifyUrl, format: "pdf", reportHash, record, issuedAt: report.issuedAt });
        },
      });
      this.options.log(`audit-report: ${month} issued for ${company}, receipt ${issued.report.receipt}`);
    } catch (err) {
      if (!(err instanceof AlreadyIssued)) throw err;
    }
  }
}
