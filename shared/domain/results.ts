/** Turns exact domain results into the stored result shapes (shared/schemas/results.ts). */

import type { InstitutionKind } from '../schemas/dataset.js';
import type {
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  QuarterlyInstitutionResult,
  ScoreResult,
} from '../schemas/results.js';
import type { AnnualSettlement, ScoredInstitution } from './cycles.js';
import { peerGroup, rankWithinPeers } from './ranking.js';
import { rational, toFixedHalfUp } from './rational.js';
import type { InstitutionScore } from './scoring.js';

/** §9.3 S_c and its indicators as stored. */
export function toCommunityOwnResult(score: InstitutionScore): CommunityOwnResult {
  return { score: toFixedHalfUp(score.score), indicators: indicatorResults(score.indicators) };
}

function indicatorResults(indicators: InstitutionScore['indicators']): ScoreResult['indicators'] {
  return indicators.map((s) => ({
    indicatorId: s.indicatorId,
    dimension: s.dimension,
    weight: s.weight.toFraction(),
    bonus: s.bonus,
    value: s.value === null ? null : toFixedHalfUp(s.value),
    missing: s.missing,
    score: toFixedHalfUp(s.score),
    attainment: s.weight.n === 0n ? '0' : s.score.div(s.weight).toFraction(),
  }));
}

export function toScoreResult(scored: ScoredInstitution): ScoreResult {
  const publicHealth = scored.score.dimensions.get('public_health');
  return {
    institutionId: scored.institutionId,
    score: toFixedHalfUp(scored.score.score),
    grade: scored.grade.grade,
    coefficient: toFixedHalfUp(rational(scored.grade.coefficient)),
    publicHealthScore: publicHealth ? publicHealth.toFraction() : null,
    indicators: scored.score.indicators.map((s) => ({
      indicatorId: s.indicatorId,
      dimension: s.dimension,
      weight: s.weight.toFraction(),
      bonus: s.bonus,
      value: s.value === null ? null : toFixedHalfUp(s.value),
      missing: s.missing,
      score: toFixedHalfUp(s.score),
      attainment: s.weight.n === 0n ? '0' : s.score.div(s.weight).toFraction(),
    })),
    ...(scored.vetoedBy === undefined ? {} : { vetoedBy: scored.vetoedBy }),
  };
}

/**
 * The bulletin rows of a quarter: rank within peer groups and change against the previous quarter's
 * rounded score (null in Q1 or where the institution had no previous score).
 */
export function bulletinRows(
  current: readonly QuarterlyInstitutionResult[],
  previousScores: ReadonlyMap<string, string> | null,
): BulletinRow[] {
  const ranks = rankWithinPeers(
    current.map((r) => ({
      institutionId: r.institutionId,
      kind: r.kind as InstitutionKind,
      score: rational(r.score),
    })),
  );
  return [...current]
    .sort((a, b) => (a.institutionId < b.institutionId ? -1 : 1))
    .map((r) => {
      const previous = previousScores?.get(r.institutionId);
      return {
        institutionId: r.institutionId,
        score: r.score,
        grade: r.grade,
        rank: ranks.get(r.institutionId)!,
        peerGroup: peerGroup(r.kind as InstitutionKind),
        change: previous === undefined ? null : toFixedHalfUp(rational(r.score).sub(rational(previous))),
        surplus: r.surplus,
        fundExtraction: r.fundExtraction,
        pool: r.pool,
      };
    });
}

export function toSettlementResult(
  settlement: AnnualSettlement,
  scores: ReadonlyMap<string, ScoreResult>,
  communityOwn?: CommunityOwnResult,
): AnnualSettlementResult {
  const insurance = settlement.insurance;
  return {
    communityScore: toFixedHalfUp(settlement.communityScore),
    communityGrade: settlement.communityGrade.grade,
    ...(settlement.communityOwnScore === undefined || communityOwn === undefined ? {} : { communityOwn }),
    institutions: settlement.institutions.map((i) => ({
      ...i,
      score: scores.get(i.institutionId)!.score,
      grade: scores.get(i.institutionId)!.grade,
      coefficient: scores.get(i.institutionId)!.coefficient,
    })),
    insurance:
      insurance.outcome === 'surplus'
        ? { ...insurance, payPartByInstitution: Object.fromEntries(insurance.payPartByInstitution) }
        : insurance,
    publicHealth: settlement.publicHealth,
    leaders: settlement.leaders,
  };
}
