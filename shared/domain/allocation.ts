/**
 * Pay allocation: splitting a pool over people by their points (DOMAIN.md §5.3–§5.5), and the monthly pay
 * lines of one institution (basic pay guaranteed, reward by points, adjustments as their own column).
 */
import type { Adjustment, Department, Scheme, Staff, WorkloadRow } from '../schemas/dataset.js';
import { allocateByDepartments, type DepartmentPool } from './departments.js';
import { type Fen, largestRemainderSplit, roundFen } from './money.js';
import { pointsByStaff } from './points.js';
import { monthlyPool, rewardTotal } from './pools.js';
import { type Fraction, rational } from './rational.js';

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
  /** §9.5 secondment allowance, outside every pool; present only when the dataset has secondments. */
  allowance?: Fen;
  /** §9.2 county finance's top-up to the floor; present only when scheme.pay.funding1Floor is set. */
  fiscalTopUp?: Fen;
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
  /** §9.2 Σ fiscal top-ups: the institution's monthly claim on county finance (when the floor is on). */
  fiscalClaim?: Fen;
  /** §9.1 each department's P_d, pool and mode (when the institution has departments). */
  departments?: DepartmentPool[];
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
  /** The institution's funding (§9.2 applies to funding 1 only); absent = 2. */
  funding?: 1 | 2;
  /** §9.5 the month's allowances by staff id; absent when the dataset has no secondments. */
  allowances?: ReadonlyMap<string, Fen>;
  /** §9.1 the institution's departments (absent or empty: the one-level split of v1). */
  departments?: readonly Department[];
  /** §9.1 manual mode: approved submissions by department (staff → fen); others use the rule split. */
  manual?: ReadonlyMap<string, ReadonlyMap<string, Fen>>;
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
  const { shares, undistributed, departments } = splitPool(
    pool.distributable,
    points,
    roster,
    input.departments,
    input.manual,
  );

  const adjustmentByStaff = new Map<string, Fen>();
  for (const a of adjustments)
    adjustmentByStaff.set(a.staffId, (adjustmentByStaff.get(a.staffId) ?? 0) + a.amount);

  const floor = scheme.pay.funding1Floor;
  const rowOf = floor === undefined ? undefined : new Map(workload.map((w) => [w.staffId, w]));
  const payroll = new Set([...workload.map((w) => w.staffId), ...adjustmentByStaff.keys()]);
  const lines = [...payroll]
    .filter((id) => staffById.has(id))
    .sort()
    .map((staffId): MonthlyPayLine => {
      const onPayroll = points.has(staffId);
      const basic = onPayroll ? staffById.get(staffId)!.basicMonthly : 0;
      const reward = shares.get(staffId) ?? 0;
      const adjustment = adjustmentByStaff.get(staffId) ?? 0;
      const pts = points.get(staffId);
      const line: MonthlyPayLine = { staffId, basic, reward, adjustment, gross: 0, points: '0' };
      // The §9 columns exist only when switched on, so a v1 dataset's lines stay exactly as they were.
      if (input.allowances !== undefined)
        line.allowance = onPayroll ? (input.allowances.get(staffId) ?? 0) : 0;
      if (floor !== undefined) {
        const row = rowOf!.get(staffId);
        line.fiscalTopUp =
          input.funding === 1 && onPayroll && row ? fiscalTopUp(floor, row, basic + reward) : 0;
      }
      line.gross = basic + reward + adjustment + (line.allowance ?? 0) + (line.fiscalTopUp ?? 0);
      line.points = pts ? pts.toFraction() : '0';
      return line;
    });
  return {
    reward: totals.reward,
    basicShare: totals.basicShare?.toFraction() ?? null,
    basicShareOutOfRange: totals.basicShareOutOfRange,
    ...pool,
    undistributed,
    ...(floor === undefined ? {} : { fiscalClaim: lines.reduce((acc, l) => acc + (l.fiscalTopUp ?? 0), 0) }),
    ...(departments === undefined ? {} : { departments }),
    lines,
  };
}

/**
 * A pool's split over persons: one level by points (v1), or two levels through the departments when the
 * institution has any (§9.1). `departments` is set only in the second case.
 */
export function splitPool(
  pool: Fen,
  points: ReadonlyMap<string, Fraction>,
  roster: readonly Staff[],
  departments: readonly Department[] | undefined,
  manual?: ReadonlyMap<string, ReadonlyMap<string, Fen>>,
): PointsAllocation & { departments?: DepartmentPool[] } {
  if (departments === undefined || departments.length === 0) return allocateByPoints(pool, points);
  const departmentOf = new Map(roster.map((s) => [s.staffId, s.department]));
  const sorted = [...departments].sort((a, b) => (a.departmentId < b.departmentId ? -1 : 1));
  return allocateByDepartments(pool, points, departmentOf, sorted, manual);
}

/**
 * §9.2 保底不封顶: due = round(floor × attendedDays ÷ scheduledDays); top-up = max(0, due − (basic + reward)).
 * Paid by county finance, never out of anyone's reward.
 */
export function fiscalTopUp(
  floor: Fen,
  row: Pick<WorkloadRow, 'attendedDays' | 'scheduledDays'>,
  paid: Fen,
): Fen {
  const scheduled = rational(row.scheduledDays);
  if (scheduled.n === 0n) return 0; // import forbids it; never divide by zero on stored data
  const due = roundFen(rational(floor).mul(rational(row.attendedDays)).div(scheduled));
  return Math.max(0, due - paid);
}
