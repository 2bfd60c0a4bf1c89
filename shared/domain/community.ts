/**
 * The community's own appraisal (总院, DOMAIN.md §9.3): indicators whose appliesTo names `community` are
 * scored for the community itself over the rows that carry the community id, as §3 scores a member; and the
 * community score of §6.1 weighs that own score S_c by `communityScore.ownWeight`.
 */
import type { Indicator, IndicatorValue, Scheme } from '../schemas/dataset.js';
import { type Fraction, ONE, rational, roundTo2, ZERO } from './rational.js';
import {
  composite,
  type InstitutionScore,
  type ScoringContext,
  rowsByIndicator,
  scoreIndicator,
} from './scoring.js';

/** Indicators that name `community` in appliesTo (`*` means every member kind, never the community). */
export function communityIndicators(indicators: readonly Indicator[]): Indicator[] {
  return indicators.filter((i) => i.appliesTo !== '*' && i.appliesTo.includes('community'));
}

/** Whether §9.3 is on: the scheme weighs the community's own score. */
export const communityScoreOn = (scheme: Scheme): boolean => scheme.communityScore !== undefined;

/**
 * S_c over a window: `values` are the rows carrying the community id. Rounded like every S (§3); an empty
 * set of community indicators scores 0, as a member with none would.
 */
export function communityOwnScore(
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  window: readonly string[],
  bonusCap: Fraction,
  previousYear?: ScoringContext,
): InstitutionScore {
  const byIndicator = rowsByIndicator(values, new Set(window));
  const scores = communityIndicators(indicators)
    .map((indicator) =>
      scoreIndicator(indicator, byIndicator.get(indicator.id) ?? [], window.length, previousYear),
    )
    .sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0));
  return { ...composite(scores, bonusCap), indicators: scores };
}

/**
 * round(ownWeight × S_c + (1 − ownWeight) × Σ S_i·n_i ÷ Σ n_i): S_c and S_i are the rounded scores, the
 * weighted sum is exact inside and rounded once, half-up to 2 decimals. No staff → the member part is 0.
 */
export function weightedCommunityScore(
  ownWeight: string,
  ownScore: Fraction,
  members: readonly { score: Fraction; headcount: number }[],
): Fraction {
  const w = rational(ownWeight);
  const heads = members.reduce((a, m) => a + m.headcount, 0);
  const memberMean =
    heads === 0 ? ZERO : members.reduce((acc, m) => acc.add(m.score.mul(m.headcount)), ZERO).div(heads);
  return roundTo2(w.mul(ownScore).add(ONE.sub(w).mul(memberMean)));
}
