/**
 * `medcomm audit verify` (and the auditor's API): the keyed chain against its head and its anchor outside
 * the table; every completed cycle's results against their seal, naming the first item that differs;
 * every completed cycle's start (and, where finance reviews, approval) in the chain; and every blob of the
 * dataset versions those cycles paid on against its content hash.
 */
import type { ChainCheck } from '../store/audit.js';
import { isStoreError } from '../store/errors.js';
import { type Repositories, repositories } from '../store/index.js';
import { chainSeals, type SealCheck, verifySeal } from './seals.js';

export interface AuditReport {
  ok: boolean;
  communityId: string;
  chain: ChainCheck & { anchored?: string };
  cyclesChecked: number;
  /** Seals that do not verify (and cycles completed before seals, flagged `unsealed`). */
  seals: SealCheck[];
  /** Completed cycles the chain does not show started, approved or completed. */
  missingEntries: string[];
  /** Dataset versions whose stored content no longer matches its hashes. */
  blobs: { datasetVersion: number; problem: string }[];
}

export async function verifyAudit(cached: Repositories, communityId: string): Promise<AuditReport> {
  // Read everything afresh: a long-lived process (the API, `medcomm serve`) caches immutable blobs.
  const repos = cached.table ? repositories(cached.table) : cached;
  // One read of the trail: its check, what it recorded, and the seals completions recorded in it.
  const [{ check: chain, entries }, cycles] = await Promise.all([
    repos.audit.read(communityId),
    repos.cycles.list(communityId),
  ]);
  const seals = chainSeals(entries);
  const recorded = new Set(entries.map((e) => `${e.action}|${e.subject}`));
  const completed = cycles.filter((c) => c.status === 'completed');
  const sealProblems: SealCheck[] = [];
  const missingEntries: string[] = [];
  const blobs: AuditReport['blobs'] = [];
  const versionsChecked = new Set<number>();
  for (const cycle of completed) {
    const subject = `${cycle.kind} ${cycle.period} r${cycle.revision}`;
    const needed = ['cycle.start', 'cycle.complete', ...(cycle.kind === 'monthly' ? [] : ['review.approve'])];
    for (const action of needed) {
      if (!recorded.has(`${action}|${subject}`)) missingEntries.push(`${action} ${subject}`);
    }
    if (!versionsChecked.has(cycle.datasetVersion)) {
      versionsChecked.add(cycle.datasetVersion);
      try {
        await repos.datasets.load(communityId, cycle.datasetVersion);
      } catch (error) {
        if (!isStoreError(error)) throw error;
        blobs.push({ datasetVersion: cycle.datasetVersion, problem: error.message });
      }
    }
    try {
      const check = await verifySeal(repos, cycle, seals.get(subject));
      if (!check.ok || check.unsealed) sealProblems.push(check);
    } catch (error) {
      if (!isStoreError(error)) throw error;
      sealProblems.push({
        kind: cycle.kind,
        period: cycle.period,
        revision: cycle.revision,
        ok: false,
        problem: error.message,
      });
    }
  }
  return {
    ok: chain.ok && sealProblems.every((s) => s.ok) && missingEntries.length === 0 && blobs.length === 0,
    communityId,
    chain,
    cyclesChecked: completed.length,
    seals: sealProblems,
    missingEntries,
    blobs,
  };
}

/** The report as lines a person reads: the first problems named, or that all holds. */
export function describeAudit(report: AuditReport): string[] {
  const lines: string[] = [];
  const { chain } = report;
  lines.push(
    chain.ok
      ? `审计链完整 audit chain intact: ${chain.entries} entries${chain.anchored ? `, anchored at ${chain.anchored}` : ''}`
      : `审计链被改动 audit chain BROKEN at record ${chain.brokenAt}: ${chain.problem}`,
  );
  for (const s of report.seals) {
    const where = [s.institutionId, s.staffId].filter(Boolean).join(' ');
    lines.push(
      s.unsealed
        ? `未封存 not sealed (completed before seals): ${s.kind} ${s.period} r${s.revision}`
        : `封存不符 SEAL BROKEN: ${s.kind} ${s.period} r${s.revision}${where ? ` — ${where}` : ''}: ${s.problem}`,
    );
  }
  for (const m of report.missingEntries) lines.push(`缺少审计记录 missing audit entry: ${m}`);
  for (const b of report.blobs) lines.push(`数据被改动 dataset v${b.datasetVersion}: ${b.problem}`);
  lines.push(
    report.ok
      ? `已核对 ${report.cyclesChecked} 个已完成周期的封存 / ${report.cyclesChecked} completed cycles match their seals`
      : '核对未通过 / verification FAILED',
  );
  return lines;
}
