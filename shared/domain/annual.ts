/**
 * Annual settlement of pay (DOMAIN.md §5.5, §6.1): reserve release, next year's approved total, leader
 * salaries and the community score.
 */
import type { Grade } from '../schemas/dataset.js';
import { applyRate, type Fen, roundFen } from './money.js';
import { type Fraction, ONE, rational, roundTo2, ZERO } from './rational.js';

export interface ReserveRelease {
  reserve: Fen;
  released: Fen;
  /** The unreleased rest goes to the institution's development fund. */
  developmentFund: Fen;
}

/** Released = round(A × reserveRelease(grade)). */
export function releaseReserve(reserve: Fen, grade: Grade): ReserveRelease {
  const released = applyRate(reserve, grade.reserveRelease);
  return { reserve, released, developmentFund: reserve - released };
}

/** T' = round(T × (1 + growthRate) × coefficient(grade)). */
export function nextApprovedTotal(approvedTotal: Fen, growthRate: string, grade: Grade): Fen {
  return roundFen(
    rational(approvedTotal)
      .mul(ONE.add(rational(growthRate)))
      .mul(rational(grade.coefficient)),
  );
}

/** round(targetAnnualSalary × coefficient(grade of the leader's institution)). */
export function leaderSalary(targetAnnualSalary: Fen, grade: Grade): Fen {
  return applyRate(targetAnnualSalary, grade.coefficient);
}

/**
 * Community score: Σ S_i·n_i ÷ Σ n_i over members (S_i the rounded member scores, n_i roster headcount),
 * rounded half-up to 2 decimals. No staff at all → 0.
 */
export function communityScore(members: readonly { score: Fraction; headcount: number }[]): Fraction {
  const heads = members.reduce((a, m) => a + m.headcount, 0);
  if (heads === 0) return ZERO;
  const weighted = members.reduce((acc, m) => acc.add(m.score.mul(m.headcount)), ZERO);
  return roundTo2(weighted.div(heads));
}
