/**
 * Indicator scoring (DOMAIN.md §3): the value of an indicator over a window of months, the eight scoring
 * methods, and the composite and dimension scores. Everything is exact; only reported figures are rounded.
 */
import type { Indicator, IndicatorValue, InstitutionKind } from '../schemas/dataset.js';
import { memoByText } from './memo.js';
import { methodParams, namedParam } from './params.js';
import {
  clamp,
  type Fraction,
  HUNDRED,
  max,
  min,
  ONE,
  rational,
  rationalConstant,
  roundTo2,
  sum,
  ZERO,
} from './rational.js';

/** Whether the indicator counts for an institution of this kind (otherwise it leaves the sums entirely). */
export function appliesTo(indicator: Indicator, kind: InstitutionKind): boolean {
  return indicator.appliesTo === '*' || indicator.appliesTo.includes(kind);
}

/**
 * The indicator's value over the window: `rows` are this institution's rows for this indicator whose
 * period lies in the window. null = missing (缺报).
 */
export function windowValue(indicator: Indicator, rows: readonly IndicatorValue[]): Fraction | null {
  if (rows.length === 0) return null;
  if (indicator.aggregation === 'ratio') {
    const numerator = sum(rows.map((r) => rational(r.numerator ?? '0')));
    const denominator = sum(rows.map((r) => rational(r.denominator ?? '0')));
    return denominator.n === 0n ? null : numerator.div(denominator);
  }
  const values = rows.map((r) => rational(r.value ?? '0'));
  switch (indicator.aggregation) {
    case 'sum':
      return sum(values);
    case 'mean':
      return sum(values).div(values.length);
    case 'min':
      return values.reduce((a, b) => min(a, b));
    case 'max':
      return values.reduce((a, b) => max(a, b));
    case 'secondment_count':
      return null; // counted from the register (scoreIndicator), never from rows
    case 'last': {
      const latest = [...rows]
        .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
        .at(-1)!;
      return rational(latest.value ?? '0');
    }
  }
}

/** Annual targets, floors and band thresholds of `sum` indicators scale by |W|/12; others are used as given. */
export function prorationFactor(indicator: Indicator, windowMonths: number): Fraction {
  if (indicator.aggregation !== 'sum') return ONE;
  let factor = windowFactors.get(windowMonths);
  if (factor === undefined) {
    factor = rational(windowMonths).div(12);
    windowFactors.set(windowMonths, factor);
  }
  return factor;
}
/** |W|/12 by window length (a window is 1 to 12 months: a handful of values, each computed once). */
const windowFactors = new Map<number, Fraction>();

/** A target, floor or threshold scaled by the proration factor (as given when the factor is 1). */
const prorated = (value: Fraction, factor: Fraction): Fraction =>
  factor === ONE ? value : value.mul(factor);

export interface Band {
  threshold: Fraction;
  fraction: Fraction;
}

/** "0.6:1;0.5:0.8" → bands (validated at import). */
export function parseBands(params: string | undefined): Band[] {
  if (!params) return [];
  // A copy of the list each time (its bands' Fractions are never changed, so they are shared).
  return parsedBands(params).map((b) => ({ ...b }));
}
/** Bands by params text: an indicator's bands are parsed once, not for every institution it scores. */
const parsedBands = memoByText(1_000, readBands);

function readBands(params: string): Band[] {
  return params
    .split(';')
    .filter((p) => p.trim() !== '')
    .map((pair) => {
      const [threshold, fraction] = pair.split(':');
      return {
        threshold: rationalConstant(threshold!.trim()),
        fraction: rationalConstant(fraction!.trim()),
      };
    });
}

/**
 * The score of one indicator given its window value (v) — before clamping.
 * Methods per DOMAIN.md §3; `factor` is the proration factor for targets, floors and thresholds.
 */
function methodScore(indicator: Indicator, v: Fraction, factor: Fraction, base: Fraction | null): Fraction {
  // The indicator's constants, parsed once per distinct text (rationalConstant), scaled here.
  const w = rationalConstant(indicator.weight);
  const t = indicator.target !== undefined ? prorated(rationalConstant(indicator.target), factor) : ZERO;
  const f = indicator.floor !== undefined ? prorated(rationalConstant(indicator.floor), factor) : ZERO;
  const higher = indicator.direction === 'higher';
  switch (indicator.method) {
    case 'yes_no':
      return v.compare(ONE) >= 0 ? w : ZERO;
    case 'ge_target':
      if (v.compare(ZERO) <= 0) return ZERO;
      // A target of 0 or less is met by any positive value (v/t is undefined or negative there).
      if (t.compare(ZERO) <= 0) return w;
      return w.mul(min(ONE, v.div(t)));
    case 'le_target':
      if (v.compare(t) <= 0) return w;
      // DOMAIN.md: t = 0 → 0. A negative target missed is treated the same way: w·t/v is undefined at
      // v = 0 and exceeds w for t < v < 0, so it cannot mean "close to target".
      if (t.compare(ZERO) <= 0) return ZERO;
      return w.mul(t).div(v);
    case 'linear':
      if (higher) {
        if (v.compare(t) >= 0) return w;
        if (v.compare(f) <= 0) return ZERO;
        return w.mul(v.sub(f)).div(t.sub(f));
      }
      if (v.compare(t) <= 0) return w;
      if (v.compare(f) >= 0) return ZERO;
      return w.mul(f.sub(v)).div(f.sub(t));
    case 'bands': {
      const bands = parseBands(methodParams(indicator.params)).map((b) => ({
        ...b,
        threshold: prorated(b.threshold, factor),
      }));
      const hit = higher
        ? bands.filter((b) => v.compare(b.threshold) >= 0).sort((a, b) => b.threshold.compare(a.threshold))[0]
        : bands
            .filter((b) => v.compare(b.threshold) <= 0)
            .sort((a, b) => a.threshold.compare(b.threshold))[0];
      return hit ? w.mul(hit.fraction) : ZERO;
    }
    case 'deduct':
      return max(ZERO, w.sub(rationalConstant(methodParams(indicator.params) ?? '0').mul(v)));
    case 'bonus':
      return min(w, rationalConstant(methodParams(indicator.params) ?? '0').mul(v));
    case 'actual':
      return w.mul(clamp(v.div(HUNDRED), ZERO, ONE));
    case 'improve':
      // scoreIndicator never calls this without a base (no base = missing).
      return base === null
        ? ZERO
        : improveScore(w, v, base, rationalConstant(indicator.target ?? '0'), higher);
  }
}

/**
 * §9.4 `improve`: t is the required relative change against the base b (the previous year's value over the
 * same window, or `base=`). higher: v ≥ b(1+t) → w; v ≤ b → 0; else w(v−b)/(b·t); lower mirrors it.
 * b ≤ 0 → w if v moved the right way past b, else 0.
 */
export function improveScore(w: Fraction, v: Fraction, b: Fraction, t: Fraction, higher: boolean): Fraction {
  if (b.compare(ZERO) <= 0 || t.compare(ZERO) <= 0) {
    return (higher ? v.compare(b) > 0 : v.compare(b) < 0) ? w : ZERO;
  }
  if (higher) {
    if (v.compare(b.mul(ONE.add(t))) >= 0) return w;
    if (v.compare(b) <= 0) return ZERO;
    return w.mul(v.sub(b)).div(b.mul(t));
  }
  if (v.compare(b.mul(ONE.sub(t))) <= 0) return w;
  if (v.compare(b) >= 0) return ZERO;
  return w.mul(b.sub(v)).div(b.mul(t));
}

export interface IndicatorScore {
  indicatorId: string;
  dimension: string;
  weight: Fraction;
  bonus: boolean;
  /** Window value, null when missing. */
  value: Fraction | null;
  missing: boolean;
  /** Exact score in [0, weight]; 0 when missing. */
  score: Fraction;
}

/**
 * Scores one applicable indicator. Scores are kept within [0, weight]: the formulas already do so for
 * sensible inputs; the clamp only guards odd data (e.g. a negative target) from pushing a composite
 * outside [0, 100].
 */
export function scoreIndicator(
  indicator: Indicator,
  rows: readonly IndicatorValue[],
  windowMonths: number,
  previousYear?: ScoringContext,
): IndicatorScore {
  // §9.5: secondment_count is counted from the register, not read from rows; no register → missing.
  const value =
    indicator.aggregation === 'secondment_count'
      ? previousYear?.secondmentCount === undefined
        ? null
        : rational(previousYear.secondmentCount(indicator))
      : windowValue(indicator, rows);
  const weight = rationalConstant(indicator.weight);
  const base = indicator.method === 'improve' ? improveBase(indicator, previousYear) : null;
  // improve without a base (no previous year held, no `base=`) is missing (§9.4).
  const missing = value === null || (indicator.method === 'improve' && base === null);
  const raw = missing ? ZERO : methodScore(indicator, value!, prorationFactor(indicator, windowMonths), base);
  return {
    indicatorId: indicator.id,
    dimension: indicator.dimension,
    weight,
    bonus: indicator.method === 'bonus',
    value,
    missing,
    score: clamp(raw, ZERO, weight),
  };
}

/** What some §9 indicators read besides the window's rows. */
export interface ScoringContext {
  /**
   * §9.4 the previous year as the store holds it: the institution's rows of the same window one year
   * earlier. Absent when the store does not hold that year.
   */
  rows?: readonly IndicatorValue[];
  /** §9.5 the `secondment_count` value of an indicator over the window, from the register. */
  secondmentCount?: (indicator: Indicator) => number;
}

/** b: the previous year's value over the same window when that year is held, else `base=`; none → null. */
export function improveBase(indicator: Indicator, previousYear: ScoringContext | undefined): Fraction | null {
  if (previousYear?.rows !== undefined) {
    const previous = windowValue(
      indicator,
      previousYear.rows.filter((r) => r.indicatorId === indicator.id),
    );
    if (previous !== null) return previous;
  }
  const base = namedParam(indicator.params, 'base');
  return base === undefined ? null : rational(base);
}

export interface Composite {
  /** Exact composite before rounding. */
  exact: Fraction;
  /** Rounded half-up to 2 decimals — the score that is reported and graded. */
  score: Fraction;
  /** Exact dimension scores D_d = 100·Σs/Σw within each dimension (non-bonus indicators). */
  dimensions: Map<string, Fraction>;
}

/**
 * S = min(100, 100·Σs/Σw + min(bonusCap, Σbonus)) over applicable non-bonus indicators.
 * With no applicable non-bonus indicator (Σw = 0) the weighted part counts as 0.
 */
export function composite(scores: readonly IndicatorScore[], bonusCap: Fraction): Composite {
  const regular = scores.filter((s) => !s.bonus);
  const weightTotal = sum(regular.map((s) => s.weight));
  const scoreTotal = sum(regular.map((s) => s.score));
  const bonusTotal = sum(scores.filter((s) => s.bonus).map((s) => s.score));
  const weighted = weightTotal.n === 0n ? ZERO : HUNDRED.mul(scoreTotal).div(weightTotal);
  const exact = min(HUNDRED, weighted.add(min(bonusCap, bonusTotal)));
  const dimensions = new Map<string, Fraction>();
  for (const dimension of new Set(regular.map((s) => s.dimension))) {
    const inDim = regular.filter((s) => s.dimension === dimension);
    const w = sum(inDim.map((s) => s.weight));
    dimensions.set(dimension, w.n === 0n ? ZERO : HUNDRED.mul(sum(inDim.map((s) => s.score))).div(w));
  }
  return { exact, score: roundTo2(exact), dimensions };
}

/** Groups indicator rows by indicator id, keeping only rows in the window. */
export function rowsByIndicator(
  rows: readonly IndicatorValue[],
  window: ReadonlySet<string>,
): Map<string, IndicatorValue[]> {
  const grouped = new Map<string, IndicatorValue[]>();
  for (const row of rows) {
    if (!window.has(row.period)) continue;
    const list = grouped.get(row.indicatorId);
    if (list) list.push(row);
    else grouped.set(row.indicatorId, [row]);
  }
  return grouped;
}

export interface InstitutionScore extends Composite {
  indicators: IndicatorScore[];
}

/**
 * Scores an institution over a window of months: every indicator that applies to its kind, then the
 * composite. `values` may hold rows of any period; only those inside `window` count.
 */
export function scoreInstitution(
  kind: InstitutionKind,
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  window: readonly string[],
  bonusCap: Fraction,
  previousYear?: ScoringContext,
): InstitutionScore {
  const byIndicator = rowsByIndicator(values, new Set(window));
  const scores = indicators
    .filter((indicator) => appliesTo(indicator, kind))
    .map((indicator) =>
      scoreIndicator(indicator, byIndicator.get(indicator.id) ?? [], window.length, previousYear),
    )
    .sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : a.indicatorId > b.indicatorId ? 1 : 0));
  return { ...composite(scores, bonusCap), indicators: scores };
}
