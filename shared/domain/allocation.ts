/**
 * Pay allocation: splitting a pool over people by their points (DOMAIN.md §5.3–§5.5), and the monthly pay
 * lines of one institution (basic pay guaranteed, reward by points, adjustments as their own column).
 */
import type { Adjustment, Scheme, Staff, WorkloadRow } from '../schemas/dataset.js';
import { type Fen, largestRemainderSplit } from './money.js';
import { pointsByStaff } from './points.js';
import { monthlyPool, rewardTotal } from './pools.js';
import type { Fraction } from './rational.js';

export interface PointsAllocation {
  /** fen per staff id (only people with points > 0 can receive anything). */
  shares: Map<string, Fen>;
  /** What could not be split because nobody had points. */
  undistributed: Fen;
}

/** LR-splits `pool` by points; when Σpoints = 0 the whole pool is returned as undistributed. */
export function allocateByPoints(pool: Fen, points: ReadonlyMap<string, Fraction>): PointsAllocation {
  const weights = [...points].map(([id, weight]) => ({ id, weight }));
  const shares =
    pool === 0 ? new Map<string, Fen>(weights.map((w) => [w.id, 0])) : largestRemainderSplit(pool, weights);
  if (shares === null) return { shares: new Map(), undistributed: pool };
  return { shares, undistributed: 0 };
}

export interface MonthlyPayLine {
  staffId: string;
  basic: Fen;
  reward: Fen;
  adjustment: Fen;
  gross: Fen;
  /** Exact points as a fraction string (n/d), kept for lineage. */
  points: string;
}

export interface MonthlyInstitutionPay {
  reward: Fen;
  basicShare: string | null;
  basicShareOutOfRange: boolean;
  pool: Fen;
  holdback: Fen;
  distributable: Fen;
  /** D when no one on the month's payroll has points; it goes to the reserve. */
  undistributed: Fen;
  lines: MonthlyPayLine[];
}

/**
 * One institution's monthly pay. `roster` is the institution's whole staff list (it sets R);
 * `workload` holds the month's rows of its staff (a row = on the month's payroll);
 * `adjustments` the month's corrections for its staff. A person with an adjustment but no workload row
 * still gets a line carrying the adjustment alone.
 */
export function monthlyInstitutionPay(input: {
  scheme: Scheme;
  approvedTotal: Fen;
  roster: readonly Staff[];
  month: number;
  workload: readonly WorkloadRow[];
  adjustments: readonly Adjustment[];
}): MonthlyInstitutionPay {
  const { scheme, roster, workload, adjustments } = input;
  const totals = rewardTotal(
    input.approvedTotal,
    roster.map((s) => s.basicMonthly),
    scheme,
  );
  const pool = monthlyPool(totals.reward, input.month, scheme.pay.holdbackRate);
  const staffById = new Map(roster.map((s) => [s.staffId, s]));
  const points = pointsByStaff(workload, staffById, scheme.pay.tilt);
  const { shares, undistributed } = allocateByPoints(pool.distributable, points);

  const adjustmentByStaff = new Map<string, Fen>();
  for (const a of adjustments)
    adjustmentByStaff.set(a.staffId, (adjustmentByStaff.get(a.staffId) ?? 0) + a.amount);

  const payroll = new Set([...workload.map((w) => w.staffId), ...adjustmentByStaff.keys()]);
  const lines = [...payroll]
    .filter((id) => staffById.has(id))
    .sort()
    .map((staffId) => {
      const onPayroll = points.has(staffId);
      const basic = onPayroll ? staffById.get(staffId)!.basicMonthly : 0;
      const reward = shares.get(staffId) ?? 0;
      const adjustment = adjustmentByStaff.get(staffId) ?? 0;
      const pts = points.get(staffId);
      return {
        staffId,
        basic,
        reward,
        adjustment,
        gross: basic + reward + adjustment,
        points: pts ? pts.toFraction() : '0',
      };
    });
  return {
    reward: totals.reward,
    basicShare: totals.basicShare?.toFraction() ?? null,
    basicShareOutOfRange: totals.basicShareOutOfRange,
    ...pool,
    undistributed,
    lines,
  };
}
