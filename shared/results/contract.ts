/**
 * The machine-readable results of DOMAIN.md §8.1 — the contract acceptance checks read. Amounts are
 * yuan strings with exactly 2 decimals; rows sorted by institutionId, then staffId.
 */
import { formatYuan } from '../domain/money.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  MonthlyInstitutionResult,
  PoolAllocation,
} from '../schemas/results.js';

const byId = <T extends { institutionId: string }>(a: T, b: T) =>
  a.institutionId < b.institutionId ? -1 : a.institutionId > b.institutionId ? 1 : 0;

export function monthlyPaysheetJson(period: string, results: readonly MonthlyInstitutionResult[]) {
  return [...results].sort(byId).flatMap((r) =>
    r.lines.map((line) => ({
      period,
      institutionId: r.institutionId,
      staffId: line.staffId,
      basic: formatYuan(line.basic),
      reward: formatYuan(line.reward),
      adjustment: formatYuan(line.adjustment),
      // §9.6: the v2 columns appear when their addition is on (a v1 dataset's rows are unchanged).
      ...(line.allowance === undefined ? {} : { allowance: formatYuan(line.allowance) }),
      ...(line.fiscalTopUp === undefined ? {} : { fiscalTopUp: formatYuan(line.fiscalTopUp) }),
      gross: formatYuan(line.gross),
    })),
  );
}

/** §9.3: S_c and its indicators as the bulletin and the appraisal show them. */
const communityOwnJson = (own: CommunityOwnResult) => ({
  communityOwnScore: own.score,
  communityIndicators: own.indicators.map((ind) => ({
    indicatorId: ind.indicatorId,
    value: ind.value,
    missing: ind.missing,
    score: ind.score,
  })),
});

export function bulletinJson(rows: readonly BulletinRow[], community?: CommunityOwnResult) {
  return {
    ...(community === undefined ? {} : communityOwnJson(community)),
    institutions: [...rows].sort(byId).map((r) => ({
      institutionId: r.institutionId,
      score: r.score,
      grade: r.grade,
      rank: r.rank,
      change: r.change,
      surplus: formatYuan(r.surplus),
      fundExtraction: formatYuan(r.fundExtraction),
      pool: formatYuan(r.pool),
    })),
  };
}

function allocationJson<K extends string>(allocations: readonly PoolAllocation[], key: K) {
  return [...allocations].sort(byId).flatMap((a) =>
    a.lines.map(
      (line) =>
        ({ institutionId: a.institutionId, staffId: line.staffId, [key]: formatYuan(line.amount) }) as {
          institutionId: string;
          staffId: string;
        } & Record<K, string>,
    ),
  );
}

export const quarterlyPaysheetJson = (allocations: readonly PoolAllocation[]) =>
  allocationJson(allocations, 'quarterlySurplus');

export const annualPaysheetJson = (allocations: readonly PoolAllocation[]) =>
  allocationJson(allocations, 'annualBonus');

export function appraisalJson(
  scores: readonly AnnualInstitutionResult[],
  settlement: AnnualSettlementResult,
) {
  const scoreOf = new Map(scores.map((s) => [s.institutionId, s]));
  const insurance = settlement.insurance;
  return {
    communityScore: settlement.communityScore,
    communityGrade: settlement.communityGrade,
    ...(settlement.communityOwn === undefined ? {} : communityOwnJson(settlement.communityOwn)),
    institutions: [...settlement.institutions].sort(byId).map((i) => ({
      institutionId: i.institutionId,
      score: i.score,
      grade: i.grade,
      coefficient: i.coefficient,
      reserve: formatYuan(i.reserve),
      reserveReleased: formatYuan(i.reserveReleased),
      annualBonusPool: formatYuan(i.annualBonusPool),
      nextApprovedTotal: formatYuan(i.nextApprovedTotal),
      indicators: scoreOf.get(i.institutionId)!.indicators.map((ind) => ({
        indicatorId: ind.indicatorId,
        value: ind.value,
        missing: ind.missing,
        score: ind.score,
      })),
      ...(scoreOf.get(i.institutionId)!.vetoedBy === undefined
        ? {}
        : { vetoedBy: scoreOf.get(i.institutionId)!.vetoedBy }),
    })),
    insurance:
      insurance.outcome === 'surplus'
        ? {
            budget: formatYuan(insurance.budget),
            actual: formatYuan(insurance.actual),
            surplus: formatYuan(insurance.surplus),
            retained: formatYuan(insurance.retained),
            returned: formatYuan(insurance.returned),
            payPart: formatYuan(insurance.payPart),
            developmentPart: formatYuan(insurance.developmentPart),
            payPartByInstitution: Object.fromEntries(
              Object.entries(insurance.payPartByInstitution)
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([id, fen]) => [id, formatYuan(fen)]),
            ),
          }
        : insurance.outcome === 'overspend'
          ? {
              budget: formatYuan(insurance.budget),
              actual: formatYuan(insurance.actual),
              overspend: formatYuan(insurance.overspend),
              reasonable: formatYuan(insurance.reasonable),
              fundBears: formatYuan(insurance.fundBears),
              communityBears: formatYuan(insurance.communityBears),
            }
          : // E = B: nothing to settle; reported in the overspend shape with zeros so readers find every key.
            {
              budget: formatYuan(insurance.budget),
              actual: formatYuan(insurance.actual),
              overspend: '0.00',
              reasonable: '0.00',
              fundBears: '0.00',
              communityBears: '0.00',
            },
    publicHealth: {
      total: formatYuan(settlement.publicHealth.total),
      retainedByCommunity: formatYuan(settlement.publicHealth.retainedByCommunity),
      rows: [...settlement.publicHealth.rows].sort(byId).map((r) => ({
        institutionId: r.institutionId,
        base: formatYuan(r.base),
        preAllocated: formatYuan(r.preAllocated),
        entitlement: formatYuan(r.entitlement),
        settlement: formatYuan(r.settlement),
      })),
    },
    leaders: settlement.leaders.map((l) => ({ staffId: l.staffId, salary: formatYuan(l.salary) })),
  };
}
