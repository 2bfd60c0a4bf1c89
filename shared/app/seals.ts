/**
 * Sealed cycles (issue 13): when a cycle completes, its results — every pay line with the bank account
 * it pays, each institution's result and pool allocation, the bulletin, settlement and report — are
 * hashed in canonical form. The seal is recorded with the completion, in the same transaction as the
 * audit entry (which the keyed chain protects), and per institution and per line beside the results, so
 * a later difference can be named: period, institution, staff id. Sheets, bank files and the API serve
 * only a cycle whose seal still verifies.
 */
import { createHash } from 'node:crypto';
import { bilingual } from '../errors.js';
import type { CycleRef } from '../schemas/events.js';
import { type AuditEntry, canonicalJson } from '../store/audit.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/** One line's short hash: what it pays and to which account. */
type LineHash = [staffId: string, hash: string];

export interface ComputedSeal {
  total: string;
  documents: string;
  institutions: Record<string, string>;
  lines: Record<string, LineHash[]>;
}

type Line = { staffId: string } & Record<string, unknown>;

/** Recomputes a cycle revision's seal from what is stored now. */
export async function computeSeal(
  repos: Repositories,
  ref: Pick<CycleRef, 'communityId' | 'kind' | 'period' | 'revision' | 'datasetVersion'>,
): Promise<ComputedSeal> {
  const [results, pay, allocations, bulletin, settlement, report] = await Promise.all([
    repos.results.institutions<{ institutionId: string }>(ref),
    repos.results.payLines<Line>(ref),
    repos.results.parts<{ institutionId: string }>(ref, 'ALLOC#'),
    repos.results.document(ref, 'BULLETIN'),
    repos.results.document(ref, 'SETTLEMENT'),
    repos.results.document(ref, 'REPORT'),
  ]);
  const ids = [
    ...new Set([...results.map((r) => r.institutionId), ...pay.map((p) => p.institutionId)]),
  ].sort();
  const rosters = await repos.datasets.rosters(ref.communityId, ref.datasetVersion, ids);
  const institutions: Record<string, string> = {};
  const lines: Record<string, LineHash[]> = {};
  for (const [index, institutionId] of ids.entries()) {
    const accounts = new Map((rosters[index] ?? []).map((s) => [s.staffId, s.bankAccount ?? null]));
    const paid = (pay.find((p) => p.institutionId === institutionId)?.lines ?? [])
      .map(
        (line): LineHash => [
          line.staffId,
          sha256({ institutionId, line, bankAccount: accounts.get(line.staffId) ?? null }).slice(0, 16),
        ],
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    lines[institutionId] = paid;
    institutions[institutionId] = sha256({
      result: results.find((r) => r.institutionId === institutionId) ?? null,
      allocation: allocations.find((a) => a.institutionId === institutionId) ?? null,
      lines: paid,
    });
  }
  const documents = sha256({
    bulletin: bulletin ?? null,
    settlement: settlement ?? null,
    report: report ?? null,
  });
  return { total: sha256({ institutions, documents }), documents, institutions, lines };
}

/** Stores a seal's parts beside the results (written once), and returns its total for the completion. */
export async function recordSeal(repos: Repositories, ref: CycleRef): Promise<string> {
  const seal = await computeSeal(repos, ref);
  await Promise.all(
    Object.entries(seal.lines).map(([institutionId, lines]) =>
      repos.results.putPart(ref, `SEAL#${institutionId}`, lines),
    ),
  );
  await repos.results.putPart(ref, 'SEAL', {
    total: seal.total,
    documents: seal.documents,
    institutions: seal.institutions,
  });
  return seal.total;
}

export interface SealCheck {
  kind: string;
  period: string;
  revision: number;
  ok: boolean;
  /** Completed before seals existed: nothing to check against. */
  unsealed?: boolean;
  institutionId?: string;
  staffId?: string;
  problem?: string;
}

/**
 * Re-derives a completed cycle's seal and compares it with the one its completion recorded in the audit
 * chain (the keyed record) — or on the cycle record when the chain has none — naming the first item that
 * differs.
 */
export async function verifySeal(
  repos: Repositories,
  cycle: CycleRecord,
  chainSeal?: string,
): Promise<SealCheck> {
  const base = { kind: cycle.kind, period: cycle.period, revision: cycle.revision };
  const expected = chainSeal ?? cycle.seal;
  if (!expected) return { ...base, ok: true, unsealed: true };
  const now = await computeSeal(repos, cycle);
  if (now.total === expected && cycle.seal === expected) return { ...base, ok: true };
  const [stored] = await repos.results.parts<{
    total: string;
    documents: string;
    institutions: Record<string, string>;
  }>(cycle, 'SEAL');
  if (!stored || stored.total !== expected) {
    return {
      ...base,
      ok: false,
      problem:
        now.total === expected
          ? 'the seal recorded on the cycle or beside its results was changed'
          : 'the results differ from their seal, and the stored seal parts were changed too',
    };
  }
  if (now.documents !== stored.documents) {
    return { ...base, ok: false, problem: 'the bulletin, settlement or report differs from the sealed one' };
  }
  for (const institutionId of new Set([
    ...Object.keys(stored.institutions),
    ...Object.keys(now.institutions),
  ])) {
    if (stored.institutions[institutionId] === now.institutions[institutionId]) continue;
    const [sealedLines = []] = await repos.results.parts<LineHash[]>(cycle, `SEAL#${institutionId}`);
    const sealed = new Map(sealedLines);
    const current = new Map(now.lines[institutionId] ?? []);
    for (const staffId of [...new Set([...sealed.keys(), ...current.keys()])].sort()) {
      if (sealed.get(staffId) !== current.get(staffId)) {
        return {
          ...base,
          ok: false,
          institutionId,
          staffId,
          problem: current.has(staffId)
            ? sealed.has(staffId)
              ? 'the pay line or the bank account it pays differs from the sealed one'
              : 'a pay line that was not sealed'
            : 'a sealed pay line is missing',
        };
      }
    }
    return {
      ...base,
      ok: false,
      institutionId,
      problem: "the institution's result or pool allocation differs from the sealed one",
    };
  }
  return {
    ...base,
    ok: false,
    problem: 'the seal recorded on the cycle differs from the one in the audit trail',
  };
}

/** The seal each completion recorded in the audit chain, by "kind period rN". */
export function chainSeals(entries: readonly AuditEntry[]): Map<string, string> {
  const seals = new Map<string, string>();
  for (const entry of entries) {
    if (entry.action === 'cycle.complete' && typeof entry.details.seal === 'string') {
      seals.set(entry.subject, entry.details.seal);
    }
  }
  return seals;
}

export class SealBrokenError extends Error {
  override readonly name = 'SealBrokenError' as const;
}

/**
 * Refuses a cycle whose results no longer match their seal, or whose community's audit chain no longer
 * verifies (exports and the API call this): nothing is paid from data whose record was tampered with.
 */
export async function assertSealed(repos: Repositories, cycle: CycleRecord): Promise<void> {
  // One read of the trail serves both the chain's check and the seal it recorded.
  const { check: chain, entries } = await repos.audit.read(cycle.communityId);
  if (!chain.ok) {
    throw new SealBrokenError(
      bilingual(
        `${cycle.communityId} 的审计链在第 ${chain.brokenAt} 条处被改动，拒绝导出；请审计人员运行 medcomm audit verify`,
        `the audit chain of ${cycle.communityId} is broken at record ${chain.brokenAt} (${chain.problem}); ` +
          'refusing to serve results — an auditor should run medcomm audit verify',
      ),
    );
  }
  const seals = chainSeals(entries);
  const check = await verifySeal(repos, cycle, seals.get(`${cycle.kind} ${cycle.period} r${cycle.revision}`));
  if (check.ok) return;
  const where = [check.institutionId, check.staffId].filter(Boolean).join(' ');
  throw new SealBrokenError(
    bilingual(
      `${cycle.kind} ${cycle.period} r${cycle.revision} 的结果与封存时不一致${where ? `（${where}）` : ''}，拒绝导出；请审计人员运行 medcomm audit verify`,
      `the results of ${cycle.kind} ${cycle.period} r${cycle.revision} differ from their seal${where ? ` (${where})` : ''} (${check.problem}); ` +
        'refusing to serve them — an auditor should run medcomm audit verify',
    ),
  );
}
