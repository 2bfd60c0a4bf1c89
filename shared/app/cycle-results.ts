/**
 * Reads a completed cycle's stored results back into the shapes the contract (§8.1), the sheets and the
 * reports are made from.
 */

import type {
  AllocationLine,
  AnnualInstitutionResult,
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  MonthlyInstitutionResult,
  MonthlyPayLine,
  PoolAllocation,
} from '../schemas/results.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';

const ref = (c: CycleRecord) => ({
  communityId: c.communityId,
  kind: c.kind,
  period: c.period,
  revision: c.revision,
});

export async function monthlyResults(
  repos: Repositories,
  cycle: CycleRecord,
): Promise<MonthlyInstitutionResult[]> {
  const [summaries, pay] = await Promise.all([
    repos.results.institutions<Omit<MonthlyInstitutionResult, 'lines'>>(ref(cycle)),
    repos.results.payLines<MonthlyPayLine>(ref(cycle)),
  ]);
  const lines = new Map(pay.map((p) => [p.institutionId, p.lines]));
  return summaries.map((s) => ({ ...s, lines: lines.get(s.institutionId) ?? [] }));
}

export async function allocations(repos: Repositories, cycle: CycleRecord): Promise<PoolAllocation[]> {
  const [summaries, pay] = await Promise.all([
    repos.results.parts<Omit<PoolAllocation, 'lines'>>(ref(cycle), 'ALLOC#'),
    repos.results.payLines<AllocationLine>(ref(cycle)),
  ]);
  const lines = new Map(pay.map((p) => [p.institutionId, p.lines]));
  return summaries.map((s) => ({ ...s, lines: lines.get(s.institutionId) ?? [] }));
}

export async function bulletin(repos: Repositories, cycle: CycleRecord): Promise<BulletinRow[]> {
  return (await bulletinDocument(repos, cycle)).rows;
}

/** The bulletin's rows and, when §9.3 is on, the community's own appraisal over the quarter. */
export async function bulletinDocument(
  repos: Repositories,
  cycle: CycleRecord,
): Promise<{ rows: BulletinRow[]; community?: CommunityOwnResult }> {
  const doc = await repos.results.document<{ rows: BulletinRow[]; community?: CommunityOwnResult }>(
    ref(cycle),
    'BULLETIN',
  );
  return { rows: doc?.rows ?? [], ...(doc?.community === undefined ? {} : { community: doc.community }) };
}

export async function annualResults(repos: Repositories, cycle: CycleRecord) {
  const [scores, settlement] = await Promise.all([
    repos.results.institutions<AnnualInstitutionResult>(ref(cycle)),
    repos.results.document<AnnualSettlementResult>(ref(cycle), 'SETTLEMENT'),
  ]);
  return { scores, settlement };
}
