/**
 * The commission's view (卫健委/医保局, issue 12 tenancy): the communities of the deployment side by side —
 * institutions' scores and grades, pools and fund settlements of one period — read from completed cycles
 * only, never written, and without personal data: no staff names, ids, accounts or leaders' salaries,
 * only institution-level figures.
 */
import type {
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  MonthlyInstitutionResult,
} from '../schemas/results.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';

export interface CommunitySummary {
  communityId: string;
  /** The name in the scheme of the community's latest year (null when none can be read). */
  name: string | null;
  years: number[];
}

/** The communities of the deployment (those `which` keeps: all by default) with their names and years. */
export async function listCommunities(
  repos: Repositories,
  which: (communityId: string) => boolean = () => true,
): Promise<CommunitySummary[]> {
  const entries = (await repos.communities.list()).filter((e) => which(e.communityId));
  return Promise.all(entries.map((e) => summary(repos, e.communityId)));
}

async function summary(repos: Repositories, communityId: string): Promise<CommunitySummary> {
  const years = await repos.datasets.years(communityId);
  const latest = years.at(-1);
  const current = latest === undefined ? undefined : await repos.datasets.current(communityId, latest);
  const scheme = current ? await repos.datasets.scheme(communityId, current.version) : undefined;
  return { communityId, name: scheme?.community.name ?? null, years };
}

/** Integer fen add exactly (far below 2^53 for any county's year). */
const sumFen = (amounts: readonly number[]): number => amounts.reduce((a, b) => a + b, 0);

const ref = (c: CycleRecord) => ({
  communityId: c.communityId,
  kind: c.kind,
  period: c.period,
  revision: c.revision,
});

type MonthlySummary = Omit<MonthlyInstitutionResult, 'lines' | 'departments'>;

/** One community's figures of the period; `cycle: null` with the reason when it has none completed. */
export interface CommunityComparison extends CommunitySummary {
  cycle: { revision: number; datasetVersion: number; completedAt: string; seal?: string } | null;
  /** Why there are no figures: no such cycle, or its status (running, awaiting_review, rejected, failed). */
  status: 'completed' | 'none' | Exclude<CycleRecord['status'], 'completed'>;
  institutions: Record<string, unknown>[];
  totals: Record<string, number | string | null>;
  /** Annual: the community's score and grade and the fund settlements (医保基金, 公卫). */
  settlement?: {
    communityScore: string;
    communityGrade: string;
    insurance: AnnualSettlementResult['insurance'];
    publicHealth: { total: number; retainedByCommunity: number };
  };
  /** Quarterly with §9.3: the community's own score. */
  communityOwnScore?: string | null;
}

export async function compareCommunities(
  repos: Repositories,
  kind: CycleKind,
  period: string,
): Promise<{ kind: CycleKind; period: string; communities: CommunityComparison[] }> {
  const entries = await repos.communities.list();
  const communities = await Promise.all(
    entries.map(async (e) => comparison(repos, await summary(repos, e.communityId), kind, period)),
  );
  return { kind, period, communities };
}

async function comparison(
  repos: Repositories,
  community: CommunitySummary,
  kind: CycleKind,
  period: string,
): Promise<CommunityComparison> {
  const cycle = await repos.cycles.get(community.communityId, kind, period);
  if (cycle?.status !== 'completed')
    return { ...community, cycle: null, status: cycle?.status ?? 'none', institutions: [], totals: {} };
  const names = new Map(
    (await repos.datasets.institutions(community.communityId, cycle.datasetVersion)).map((i) => [
      i.id,
      i.name,
    ]),
  );
  const named = (id: string) => ({ institutionId: id, name: names.get(id) ?? null });
  const base = {
    ...community,
    cycle: {
      revision: cycle.revision,
      datasetVersion: cycle.datasetVersion,
      completedAt: cycle.updatedAt,
      ...(cycle.seal ? { seal: cycle.seal } : {}),
    },
    status: 'completed' as const,
  };
  if (kind === 'monthly') {
    const rows = await repos.results.institutions<MonthlySummary>(ref(cycle));
    const institutions = rows.map((r) => ({
      ...named(r.institutionId),
      reward: r.reward,
      pool: r.pool,
      holdback: r.holdback,
      distributable: r.distributable,
      undistributed: r.undistributed,
      ...(r.fiscalClaim === undefined ? {} : { fiscalClaim: r.fiscalClaim }),
    }));
    const total = (field: 'reward' | 'pool' | 'holdback' | 'distributable' | 'undistributed') =>
      sumFen(rows.map((r) => r[field]));
    return {
      ...base,
      institutions,
      totals: {
        institutions: rows.length,
        reward: total('reward'),
        pool: total('pool'),
        holdback: total('holdback'),
        distributable: total('distributable'),
        undistributed: total('undistributed'),
        fiscalClaim: sumFen(rows.map((r) => r.fiscalClaim ?? 0)),
      },
    };
  }
  if (kind === 'quarterly') {
    const doc = await repos.results.document<{ rows: BulletinRow[]; community?: CommunityOwnResult }>(
      ref(cycle),
      'BULLETIN',
    );
    const rows = doc?.rows ?? [];
    return {
      ...base,
      institutions: rows.map((r) => ({
        ...named(r.institutionId),
        score: r.score,
        grade: r.grade,
        rank: r.rank,
        peerGroup: r.peerGroup,
        surplus: r.surplus,
        fundExtraction: r.fundExtraction,
        pool: r.pool,
      })),
      totals: {
        institutions: rows.length,
        surplus: sumFen(rows.map((r) => r.surplus)),
        fundExtraction: sumFen(rows.map((r) => r.fundExtraction)),
        pool: sumFen(rows.map((r) => r.pool)),
      },
      communityOwnScore: doc?.community?.score ?? null,
    };
  }
  const settlement = await repos.results.document<AnnualSettlementResult>(ref(cycle), 'SETTLEMENT');
  if (!settlement) return { ...base, institutions: [], totals: {} };
  const publicHealth = new Map(settlement.publicHealth.rows.map((r) => [r.institutionId, r]));
  // Leaders' salaries (settlement.leaders) are personal: never part of the comparison.
  return {
    ...base,
    institutions: settlement.institutions.map((i) => ({
      ...named(i.institutionId),
      score: i.score,
      grade: i.grade,
      coefficient: i.coefficient,
      reserve: i.reserve,
      reserveReleased: i.reserveReleased,
      reserveToDevelopmentFund: i.reserveToDevelopmentFund,
      insurancePayPart: i.insurancePayPart,
      annualBonusPool: i.annualBonusPool,
      nextApprovedTotal: i.nextApprovedTotal,
      publicHealthSettlement: publicHealth.get(i.institutionId)?.settlement ?? null,
    })),
    totals: {
      institutions: settlement.institutions.length,
      reserveReleased: sumFen(settlement.institutions.map((i) => i.reserveReleased)),
      reserveToDevelopmentFund: sumFen(settlement.institutions.map((i) => i.reserveToDevelopmentFund)),
      insurancePayPart: sumFen(settlement.institutions.map((i) => i.insurancePayPart)),
      annualBonusPool: sumFen(settlement.institutions.map((i) => i.annualBonusPool)),
    },
    settlement: {
      communityScore: settlement.communityScore,
      communityGrade: settlement.communityGrade,
      insurance: settlement.insurance,
      publicHealth: {
        total: settlement.publicHealth.total,
        retainedByCommunity: settlement.publicHealth.retainedByCommunity,
      },
    },
  };
}
