/**
 * The per-institution and community-wide computations of the three cycles (DOMAIN.md §5–§7), as pure
 * functions over slices of a dataset. Workflow handlers call these one institution at a time; the
 * in-memory year (year.ts) calls them in a loop — both get the same figures.
 */
import type {
  Adjustment,
  FinanceRow,
  Grade,
  Indicator,
  IndicatorValue,
  Institution,
  InsuranceRow,
  Leader,
  Scheme,
} from '../schemas/dataset.js';
import { monthlyInstitutionPay } from './allocation.js';
import { communityScore, leaderSalary, nextApprovedTotal, releaseReserve } from './annual.js';
import { weightedCommunityScore } from './community.js';
import { applyVeto, gradeFor } from './grades.js';
import { type InsuranceSettlement, settleInsurance } from './insurance.js';
import type { Fen } from './money.js';
import { namedParam } from './params.js';
import { surplusPool } from './pools.js';
import { type PublicHealthSettlement, settlePublicHealth } from './public-health.js';
import { type Fraction, rational } from './rational.js';
import { type InstitutionScore, type ScoringContext, scoreInstitution } from './scoring.js';

export { monthlyInstitutionPay };

export interface ScoredInstitution {
  institutionId: string;
  score: InstitutionScore;
  grade: Grade;
  /**
   * §9.4: the veto indicator that capped the grade, null when none did; absent when no indicator of the
   * scheme carries `veto=` (a v1 scheme's results stay as they were).
   */
  vetoedBy?: string | null;
}

/** Scores one institution over a window and grades it (the grade capped by any veto, §9.4). */
export function scoreAndGrade(
  scheme: Scheme,
  institution: Pick<Institution, 'id' | 'kind'>,
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  window: readonly string[],
  previousYear?: ScoringContext,
): ScoredInstitution {
  const score = scoreInstitution(
    institution.kind,
    indicators,
    values,
    window,
    rational(scheme.bonusCap),
    previousYear,
  );
  const scored = gradeFor(score.score, scheme.grades);
  if (!indicators.some((i) => namedParam(i.params, 'veto') !== undefined)) {
    return { institutionId: institution.id, score, grade: scored };
  }
  const { grade, vetoedBy } = applyVeto(scored, score.indicators, indicators, scheme.grades);
  return { institutionId: institution.id, score, grade, vetoedBy };
}

/** The quarter's surplus pool of one institution (finance rows of the quarter's months only). */
export function quarterSurplus(scheme: Scheme, finance: readonly FinanceRow[]) {
  return surplusPool(finance, scheme.pay.surplus);
}

export interface AnnualMemberInput {
  institution: Institution;
  headcount: number;
  scored: ScoredInstitution;
  /** A = Σ monthly holdbacks + undistributed monthly pools. */
  reserve: Fen;
}

export interface AnnualInstitutionSettlement {
  institutionId: string;
  reserve: Fen;
  reserveReleased: Fen;
  reserveToDevelopmentFund: Fen;
  insurancePayPart: Fen;
  annualBonusPool: Fen;
  nextApprovedTotal: Fen;
}

export interface AnnualSettlement {
  communityScore: Fraction;
  /** §9.3 S_c (rounded), when the scheme weighs it. */
  communityOwnScore?: Fraction;
  communityGrade: Grade;
  institutions: AnnualInstitutionSettlement[];
  insurance: InsuranceSettlement;
  publicHealth: PublicHealthSettlement;
  leaders: { staffId: string; institutionId: string; salary: Fen }[];
}

/** The community-wide annual settlement (DOMAIN.md §5.5, §6) from the members' annual scores. */
export function settleYear(input: {
  scheme: Scheme;
  members: readonly AnnualMemberInput[];
  insurance: InsuranceRow;
  leaders: readonly Leader[];
  staffInstitution: ReadonlyMap<string, string>;
  /** §9.3: the community's own rounded score S_c, when scheme.communityScore is set. */
  communityOwnScore?: Fraction;
}): AnnualSettlement {
  const { scheme, members } = input;
  const memberScores = members.map((m) => ({ score: m.scored.score.score, headcount: m.headcount }));
  const own = scheme.communityScore === undefined ? undefined : input.communityOwnScore;
  const score =
    own === undefined
      ? communityScore(memberScores)
      : weightedCommunityScore(scheme.communityScore!.ownWeight, own, memberScores);
  const communityGrade = gradeFor(score, scheme.grades);
  if (input.insurance.actual === undefined) {
    throw new RangeError('insurance actual spending is required for the annual settlement');
  }
  const insurance = settleInsurance({
    budget: input.insurance.budget,
    actual: input.insurance.actual,
    reasonableOverspend: input.insurance.reasonableOverspend,
    insuranceGate: communityGrade.insuranceGate,
    rules: scheme.insurance,
    members: members.map((m) => ({
      institutionId: m.institution.id,
      score: m.scored.score.score,
      headcount: m.headcount,
      tier: m.institution.tier,
    })),
  });
  const payParts = insurance.outcome === 'surplus' ? insurance.payPartByInstitution : new Map<string, Fen>();
  const publicHealth = settlePublicHealth(
    scheme.publicHealth,
    scheme.community.residentPopulation,
    members.map((m) => ({
      institutionId: m.institution.id,
      servedPopulation: m.institution.servedPopulation,
      publicHealthScore: m.scored.score.dimensions.get('public_health') ?? null,
    })),
  );
  const gradeOf = new Map(members.map((m) => [m.institution.id, m.scored.grade]));
  const institutions = members.map((m) => {
    const release = releaseReserve(m.reserve, m.scored.grade);
    const insurancePayPart = payParts.get(m.institution.id) ?? 0;
    return {
      institutionId: m.institution.id,
      reserve: m.reserve,
      reserveReleased: release.released,
      reserveToDevelopmentFund: release.developmentFund,
      insurancePayPart,
      annualBonusPool: release.released + insurancePayPart,
      nextApprovedTotal: nextApprovedTotal(
        m.institution.approvedTotal,
        scheme.pay.growthRate,
        m.scored.grade,
      ),
    };
  });
  const leaders = input.leaders
    .map((leader) => {
      const institutionId = input.staffInstitution.get(leader.staffId)!;
      return {
        staffId: leader.staffId,
        institutionId,
        salary: leaderSalary(leader.targetAnnualSalary, gradeOf.get(institutionId)!),
      };
    })
    .sort((a, b) => (a.staffId < b.staffId ? -1 : 1));
  return {
    communityScore: score,
    communityGrade,
    institutions,
    insurance,
    publicHealth,
    leaders,
    ...(own === undefined ? {} : { communityOwnScore: own }),
  };
}

export type { Adjustment };
