/**
 * Reward pools (DOMAIN.md §5.3, §5.4): the monthly reward pool with its holdback, and the quarterly
 * surplus pool (两个允许). Only eligible service revenue and operating cost enter the surplus; drug,
 * consumable and test figures never do (脱钩).
 */
import { ELIGIBLE_REVENUE_CATEGORIES, type FinanceRow, type Scheme } from '../schemas/dataset.js';
import { applyRate, type Fen } from './money.js';
import { type Fraction, ONE, rational } from './rational.js';

export interface RewardTotal {
  /** R = T − 12·Σ basicMonthly, in fen. */
  reward: Fen;
  /** α = 1 − R/T (exact); null when T = 0. */
  basicShare: Fraction | null;
  /** α outside scheme.pay.basicShareRange → a warning on the monthly report. */
  basicShareOutOfRange: boolean;
}

export function rewardTotal(approvedTotal: Fen, basicMonthly: readonly Fen[], scheme: Scheme): RewardTotal {
  const reward = approvedTotal - 12 * basicMonthly.reduce((a, b) => a + b, 0);
  const basicShare = approvedTotal === 0 ? null : ONE.sub(rational(reward).div(approvedTotal));
  const [lo, hi] = scheme.pay.basicShareRange.map((d) => rational(d)) as [Fraction, Fraction];
  const basicShareOutOfRange =
    basicShare === null || basicShare.compare(lo) < 0 || basicShare.compare(hi) > 0;
  return { reward, basicShare, basicShareOutOfRange };
}

export interface MonthlyPool {
  /** M: month m's share of R. */
  pool: Fen;
  /** H = round(M × holdbackRate), kept for the annual reserve. */
  holdback: Fen;
  /** D = M − H, split by points. */
  distributable: Fen;
}

/** M = floor(R/12) + (1 if m ≤ R mod 12), H = round(M × holdbackRate), D = M − H. */
export function monthlyPool(reward: Fen, month: number, holdbackRate: string): MonthlyPool {
  const base = Math.floor(reward / 12);
  const rest = reward - base * 12; // R mod 12 in [0, 11], also for a negative R
  const pool = base + (month <= rest ? 1 : 0);
  const holdback = applyRate(pool, holdbackRate);
  return { pool, holdback, distributable: pool - holdback };
}

export interface SurplusPool {
  /** S = Σ eligible revenue − Σ operating cost over the quarter. */
  surplus: Fen;
  /** F = round(S × fundExtractionRate) when S > 0, else 0. */
  fundExtraction: Fen;
  /** Q = round((S − F) × rewardShare) when S > 0, else 0 — a loss is never taken out of pay. */
  pool: Fen;
}

const ELIGIBLE = new Set<string>(ELIGIBLE_REVENUE_CATEGORIES);

export function surplusPool(
  rows: readonly FinanceRow[],
  surplusRates: Scheme['pay']['surplus'],
): SurplusPool {
  let surplus = 0;
  for (const row of rows) {
    if (ELIGIBLE.has(row.category)) surplus += row.amount;
    else if (row.category === 'operating_cost') surplus -= row.amount;
    // Every other category is excluded income or cost (脱钩) and is deliberately ignored.
  }
  if (surplus <= 0) return { surplus, fundExtraction: 0, pool: 0 };
  const fundExtraction = applyRate(surplus, surplusRates.fundExtractionRate);
  const pool = applyRate(surplus - fundExtraction, surplusRates.rewardShare);
  return { surplus, fundExtraction, pool };
}
