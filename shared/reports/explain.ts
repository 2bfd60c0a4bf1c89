/**
 * Why this amount (issue 14): for a person and a period, every factor from the dataset row to the fen
 * paid — points (§5.1), the institution's pool and its derivation (§5.3–§5.5), the largest-remainder
 * share (§4) and the adjustments with their reasons — and for an institution, its score linked to each
 * indicator's window value, numerator/denominator, target and score (§3).
 *
 * Pure: it takes the dataset slice the cycle used and the results the cycle stored, recomputes each step
 * with the domain's own formulas and says whether the recomputation meets what was paid (`reconciles`).
 * Every exact quantity is carried as a fraction string (`exact`) with a 4-decimal reading for people
 * (`decimal`); money is integer fen. Nothing here reads the store (explain-load.ts does).
 */

import { fiscalTopUp } from '../domain/allocation.js';
import { gradeFor } from '../domain/grades.js';
import { applyRate, roundFen } from '../domain/money.js';
import { monthNumber } from '../domain/periods.js';
import { pointsByStaff, tilt } from '../domain/points.js';
import { monthlyPool, rewardTotal, surplusPool } from '../domain/pools.js';
import {
  type Fraction,
  floorToBigInt,
  HUNDRED,
  rational,
  sum,
  toFixedHalfUp,
  ZERO,
} from '../domain/rational.js';
import {
  appliesTo,
  composite,
  prorationFactor,
  rowsByIndicator,
  type ScoringContext,
  scoreIndicator,
} from '../domain/scoring.js';
import { allowancesFor, covers } from '../domain/secondments.js';
import {
  type Adjustment,
  type Department,
  ELIGIBLE_REVENUE_CATEGORIES,
  type FinanceRow,
  type Grade,
  type Indicator,
  type IndicatorValue,
  type Institution,
  type Scheme,
  type Secondment,
  type Staff,
  type WorkloadRow,
} from '../schemas/dataset.js';
import type { MonthlyInstitutionResult, PoolAllocation, ScoreResult } from '../schemas/results.js';

export type ExplainKind = 'monthly' | 'quarterly' | 'annual';

/** An exact rational and its reading to 4 decimals. */
export interface Exact {
  exact: string;
  decimal: string;
}

export const exact = (f: Fraction): Exact => ({ exact: f.toFraction(), decimal: toFixedHalfUp(f, 4) });

export interface Lineage {
  communityId: string;
  kind: ExplainKind;
  period: string;
  revision: number;
  datasetVersion: number;
  schemeHash?: string;
}

export interface PointsRow {
  period: string;
  workPoints: string;
  quality: string;
  attendedDays: string;
  scheduledDays: string;
  postCoefficient: string;
  /** The person's flags and each flag's rate; tilt = min(cap, 1 + Σ rates). */
  flags: { flag: string; rate: string }[];
  tiltCap: string;
  tilt: Exact;
  /** workPoints × quality/100 × attendedDays/scheduledDays × postCoefficient × tilt */
  points: Exact;
}

export interface MonthlyPoolDerivation {
  kind: 'monthly';
  /** T, the approved performance-pay total of the year (fen). */
  approvedTotal: number;
  rosterSize: number;
  /** Σ basicMonthly over the roster, and 12 × that (the basic payroll of the year). */
  basicMonthlyTotal: number;
  basicPayroll: number;
  /** R = T − basic payroll. */
  rewardTotal: number;
  /** α = 1 − R/T, and whether it lies outside the scheme's range. */
  basicShare: Exact | null;
  basicShareRange: [string, string];
  basicShareOutOfRange: boolean;
  month: number;
  /** floor(R/12), R mod 12, and whether month m gets the extra fen (m ≤ R mod 12). */
  monthBase: number;
  remainderMonths: number;
  monthExtraFen: number;
  /** M */
  pool: number;
  holdbackRate: string;
  /** M × holdbackRate before rounding, and H = round(that). */
  holdbackExact: Exact;
  holdback: number;
  /** D = M − H */
  distributable: number;
  /** D when nobody has points: it goes to the reserve. */
  undistributed: number;
}

export interface QuarterlyPoolDerivation {
  kind: 'quarterly';
  months: string[];
  /** Eligible service revenue by category (fen). */
  revenue: { category: string; amount: number }[];
  eligibleRevenue: number;
  operatingCost: number;
  /** Drug, consumable and test figures: shown, and left out of every pool (脱钩). */
  excluded: { category: string; amount: number }[];
  /** S = eligible revenue − operating cost */
  surplus: number;
  fundExtractionRate: string;
  /** F = round(S × rate) when S > 0 (the development fund 发展基金) */
  fundExtraction: number;
  rewardShare: string;
  /** Q = round((S − F) × rewardShare) when S > 0 */
  pool: number;
}

export interface AnnualPoolDerivation {
  kind: 'annual';
  score: string;
  grade: string;
  coefficient: string;
  reserveRelease: string;
  /** What each month put into the reserve: holdback H and undistributed D. */
  reserveMonths: { period: string; holdback: number; undistributed: number }[];
  /** A = Σ holdbacks + undistributed */
  reserve: number;
  /** round(A × reserveRelease) */
  released: number;
  /** A − released → the institution's development fund */
  toDevelopmentFund: number;
  /** The institution's part of the insurance pay part (§6.2), with its split. */
  insurance: InsurancePart | null;
  insurancePayPart: number;
  /** released + insurance pay part */
  pool: number;
}

export interface InsurancePart {
  /** The community's pay part, split across institutions by S_i × n_i × tier_i. */
  payPart: number;
  score: string;
  headcount: number;
  tier: string;
  weight: Exact;
  totalWeight: Exact;
  split: SplitLine;
}

export type PoolDerivation = MonthlyPoolDerivation | QuarterlyPoolDerivation | AnnualPoolDerivation;

/** One person's largest-remainder share of a pool (§4). */
export interface SplitLine {
  id: string;
  weight: Exact;
  /** pool × weight ÷ Σ weights */
  exactShare: Exact;
  floor: number;
  /** exactShare − floor */
  remainder: Exact;
  /** Place among positive weights by remainder (largest first, ties by id); null for a zero weight. */
  remainderRank: number | null;
  /** 1 when this line gets one of the leftover fen (remainderRank ≤ leftover). */
  extraFen: number;
  amount: number;
}

export interface SplitSummary {
  pool: number;
  totalWeight: Exact;
  /** pool − Σ floors: handed out one fen each to the largest remainders. */
  leftover: number;
  recipients: number;
  /** The pool when Σ weights = 0 (nobody had points). */
  undistributed: number;
}

/**
 * The largest-remainder split written out: shares, floors, remainders and who gets the leftover fen. The
 * same rule as shared/domain/money.ts, computed plainly so that it can be read and checked.
 */
export function explainSplit(
  pool: number,
  weights: readonly { id: string; weight: Fraction }[],
): { summary: SplitSummary; lines: Map<string, SplitLine> } {
  const total = sum(weights.map((w) => w.weight));
  const lines = new Map<string, SplitLine>();
  if (total.n === 0n) {
    for (const w of weights) lines.set(w.id, zeroLine(w.id, w.weight));
    return {
      summary: { pool, totalWeight: exact(total), leftover: 0, recipients: 0, undistributed: pool },
      lines,
    };
  }
  const sign = pool < 0 ? -1 : 1;
  const absolute = rational(Math.abs(pool));
  const parts = weights.map((w) => {
    const share = absolute.mul(w.weight).div(total);
    const floor = Number(floorToBigInt(share));
    return { ...w, share, floor, remainder: share.sub(floor) };
  });
  const leftover = Math.abs(pool) - parts.reduce((a, p) => a + p.floor, 0);
  const ranked = parts
    .filter((p) => p.weight.n !== 0n)
    .sort((a, b) => b.remainder.compare(a.remainder) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rank = new Map(ranked.map((p, i) => [p.id, i + 1]));
  for (const p of parts) {
    const place = rank.get(p.id) ?? null;
    const extraFen = place !== null && place <= leftover ? 1 : 0;
    lines.set(p.id, {
      id: p.id,
      weight: exact(p.weight),
      exactShare: exact(p.share.mul(sign)),
      floor: sign * p.floor,
      remainder: exact(p.remainder),
      remainderRank: place,
      extraFen,
      amount: sign * (p.floor + extraFen),
    });
  }
  return {
    summary: { pool, totalWeight: exact(total), leftover, recipients: ranked.length, undistributed: 0 },
    lines,
  };
}

const zeroLine = (id: string, weight: Fraction): SplitLine => ({
  id,
  weight: exact(weight),
  exactShare: exact(ZERO),
  floor: 0,
  remainder: exact(ZERO),
  remainderRank: null,
  extraFen: 0,
  amount: 0,
});

/** A person's points rows over the window, each with its factors. */
export function pointsRows(
  rows: readonly WorkloadRow[],
  staff: Pick<Staff, 'postCoefficient' | 'flags'>,
  rates: Scheme['pay']['tilt'],
): PointsRow[] {
  const t = tilt(staff.flags, rates);
  return [...rows]
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
    .map((row) => {
      const scheduled = rational(row.scheduledDays);
      const points =
        scheduled.n === 0n
          ? ZERO
          : rational(row.workPoints)
              .mul(rational(row.quality).div(HUNDRED))
              .mul(rational(row.attendedDays).div(scheduled))
              .mul(rational(staff.postCoefficient))
              .mul(t);
      return {
        period: row.period,
        workPoints: row.workPoints,
        quality: row.quality,
        attendedDays: row.attendedDays,
        scheduledDays: row.scheduledDays,
        postCoefficient: staff.postCoefficient,
        flags: staff.flags.map((flag) => ({ flag, rate: rates[flag] })),
        tiltCap: rates.cap,
        tilt: exact(t),
        points: exact(points),
      };
    });
}

/** What an institution's explanation is built from: the dataset slice of the cycle's window. */
export interface InstitutionSlice {
  lineage: Lineage;
  scheme: Scheme;
  institution: Institution;
  roster: readonly Staff[];
  /** The window's months. */
  months: readonly string[];
  workload: readonly WorkloadRow[];
  adjustments: readonly Adjustment[];
  finance: readonly FinanceRow[];
  values: readonly IndicatorValue[];
  indicators: readonly Indicator[];
  /** §9.1 the institution's departments (absent or empty: the one-level split of v1). */
  departments?: readonly Department[];
  /** §9.5 the dataset's secondments (absent when the dataset has no secondments.csv: no allowance column). */
  secondments?: readonly Secondment[];
  /** §9.4/§9.5 what the score reads besides the window's rows: the previous year, the secondment register. */
  scoring?: ScoringContext;
}

/**
 * §9.1 one department's part of a pool: P_d = coefficient × Σ pts of its members over the window, its
 * largest-remainder share X_d of the pool (first level), and how X_d reached its members (second level:
 * the rule split by pts, or a department head's approved amounts).
 */
export interface DepartmentExplanation {
  departmentId: string;
  name: string;
  coefficient: string;
  /** Σ pts of the members over the window. */
  memberPoints: Exact;
  /** P_d = coefficient × memberPoints */
  points: Exact;
  /** ΣP over the institution's departments, and the first level's leftover fen. */
  totalPoints: Exact;
  leftover: number;
  /** X_d and how it was reached: the department's line of the first-level split. */
  share: SplitLine;
  pool: number;
  mode: 'rule' | 'manual';
  /** The second level: X_d over the members (for `manual`, the amounts the head submitted). */
  split: SplitSummary;
}

/** §9.2 保底: due = round(floor × attended ÷ scheduled); top-up = max(0, due − (basic + reward)). */
export interface FloorTopUp {
  floor: number;
  attendedDays: string;
  scheduledDays: string;
  dueExact: Exact;
  due: number;
  basicPlusReward: number;
  amount: number;
}

/** §9.5 the month's allowance, outside every pool: the secondment period that covers the month. */
export interface AllowanceDetail {
  hostInstitutionId: string;
  kind: string;
  from: string;
  to: string | null;
  monthlyAllowance: number;
  /** Paid only for a month on the payroll (a workload row). */
  onPayroll: boolean;
  amount: number;
}

export interface PersonLine {
  staffId: string;
  name: string;
  department: string;
  post: string;
  points: Exact;
  split: SplitLine | null;
  basic: number;
  adjustment: number;
  /** The amount of this cycle's component (reward, quarterly surplus or annual bonus). */
  amount: number;
  /** §9.1 the person's department, when the institution has departments. */
  departmentId?: string;
  /** §9.5 (monthly, datasets with secondments) the allowance column and where it comes from. */
  allowance?: number;
  allowanceDetail?: AllowanceDetail | null;
  /** §9.2 (monthly, scheme with funding1Floor) county finance's top-up and its derivation. */
  fiscalTopUp?: number;
  topUp?: FloorTopUp | null;
  gross: number;
  /** What the stored results paid (null: no stored line for the person). */
  paid: {
    basic: number;
    amount: number;
    adjustment: number;
    allowance?: number;
    fiscalTopUp?: number;
    gross: number;
  } | null;
  reconciles: boolean;
}

export interface InstitutionExplanation {
  lineage: Lineage;
  institution: { id: string; name: string; kind: string; funding: number; tier: string };
  pool: PoolDerivation;
  split: SplitSummary;
  /** §9.1 the two-level split through the departments (absent: the one-level split of v1). */
  departments?: DepartmentExplanation[];
  lines: PersonLine[];
  score: ScoreExplanation | null;
  /** Every line and the pool derivation agree with what the cycle stored. */
  reconciles: boolean;
  /** What did not agree, in words (empty when everything reconciles). */
  differences: string[];
}

/** The stored results an institution's explanation is checked against. */
export type StoredResults =
  | { kind: 'monthly'; result: MonthlyInstitutionResult }
  | {
      kind: 'quarterly';
      score: ScoreResult & { surplus: number; fundExtraction: number; pool: number };
      allocation: PoolAllocation;
    }
  | {
      kind: 'annual';
      score: ScoreResult;
      allocation: PoolAllocation;
      grade: Grade;
      /** What each month put into the reserve (the month locks or the monthly results). */
      reserveMonths: { period: string; holdback: number; undistributed: number }[];
      settlement: {
        reserve: number;
        reserveReleased: number;
        reserveToDevelopmentFund: number;
        insurancePayPart: number;
        annualBonusPool: number;
      };
      /** The community's insurance pay part and every member's weight inputs (null: no surplus). */
      insurance: {
        payPart: number;
        members: { institutionId: string; score: string; headcount: number; tier: string }[];
      } | null;
    };

export function explainInstitution(slice: InstitutionSlice, stored: StoredResults): InstitutionExplanation {
  const { scheme, institution, roster } = slice;
  const staffById = new Map(roster.map((s) => [s.staffId, s]));
  const points = pointsByStaff(slice.workload, staffById, scheme.pay.tilt);
  const differences: string[] = [];
  const check = (what: string, computed: number | string, storedValue: number | string) => {
    if (computed !== storedValue) differences.push(`${what}: computed ${computed}, stored ${storedValue}`);
  };

  let pool: PoolDerivation;
  let poolAmount: number;
  if (stored.kind === 'monthly') {
    const derivation = monthlyDerivation(scheme, institution, roster, slice.lineage.period);
    derivation.undistributed =
      points.size === 0 || sum(points.values()).n === 0n ? derivation.distributable : 0;
    const r = stored.result;
    check('pool M', derivation.pool, r.pool);
    check('holdback H', derivation.holdback, r.holdback);
    check('distributable D', derivation.distributable, r.distributable);
    check('undistributed', derivation.undistributed, r.undistributed);
    pool = derivation;
    poolAmount = derivation.distributable;
  } else if (stored.kind === 'quarterly') {
    const derivation = quarterlyDerivation(scheme, slice.finance, slice.months);
    check('surplus S', derivation.surplus, stored.score.surplus);
    check('fund extraction F', derivation.fundExtraction, stored.score.fundExtraction);
    check('pool Q', derivation.pool, stored.score.pool);
    pool = derivation;
    poolAmount = derivation.pool;
  } else {
    const derivation = annualDerivation(institution, stored);
    const s = stored.settlement;
    check('reserve A', derivation.reserve, s.reserve);
    check('reserve released', derivation.released, s.reserveReleased);
    check('insurance pay part', derivation.insurancePayPart, s.insurancePayPart);
    check('annual bonus pool', derivation.pool, s.annualBonusPool);
    pool = derivation;
    poolAmount = derivation.pool;
  }

  const paidBy = paidLines(stored);
  const own = (slice.departments ?? []).filter((d) => d.institutionId === institution.id);
  let summary: SplitSummary;
  let split: Map<string, SplitLine>;
  let departments: DepartmentExplanation[] | undefined;
  /** Persons whose amount a department head set (§9.1 manual): the stored amount is theirs. */
  const manualAmount = new Map<string, number>();
  if (own.length === 0) {
    const weights = [...points].map(([id, weight]) => ({ id, weight }));
    ({ summary, lines: split } = explainSplit(poolAmount, weights));
  } else {
    const stored2 = stored.kind === 'monthly' ? stored.result.departments : stored.allocation.departments;
    const manual = new Set((stored2 ?? []).filter((d) => d.mode === 'manual').map((d) => d.departmentId));
    const two = explainDepartments(poolAmount, points, staffById, own, manual, paidBy);
    ({ summary, departments } = two);
    split = two.lines;
    for (const [id, amount] of two.manualAmounts) manualAmount.set(id, amount);
    for (const d of departments) {
      const storedPool = stored2?.find((s) => s.departmentId === d.departmentId);
      if (storedPool) check(`department ${d.departmentId} pool`, d.pool, storedPool.pool);
    }
  }

  const adjustmentBy = new Map<string, number>();
  for (const a of slice.adjustments)
    adjustmentBy.set(a.staffId, (adjustmentBy.get(a.staffId) ?? 0) + a.amount);

  // §9 monthly columns, each only when its addition is on (as the pay step adds them).
  const monthly = stored.kind === 'monthly';
  const period = slice.lineage.period;
  const allowances =
    monthly && slice.secondments !== undefined ? allowancesFor(slice.secondments, period) : undefined;
  const floor = monthly ? scheme.pay.funding1Floor : undefined;
  const rowOf = new Map(slice.workload.filter((w) => w.period === period).map((w) => [w.staffId, w]));

  const ids = new Set([...points.keys(), ...adjustmentBy.keys(), ...paidBy.keys()]);
  const lines: PersonLine[] = [...ids]
    .filter((id) => staffById.has(id))
    .sort()
    .map((staffId) => {
      const person = staffById.get(staffId)!;
      const line = split.get(staffId) ?? null;
      const onPayroll = points.has(staffId);
      const basic = monthly && onPayroll ? person.basicMonthly : 0;
      const adjustment = monthly ? (adjustmentBy.get(staffId) ?? 0) : 0;
      const amount = manualAmount.get(staffId) ?? line?.amount ?? 0;
      const extra: Pick<PersonLine, 'allowance' | 'allowanceDetail' | 'fiscalTopUp' | 'topUp'> = {};
      if (allowances !== undefined) {
        const period9 = slice.secondments!.find((s) => s.staffId === staffId && covers(s, period));
        extra.allowance = onPayroll ? (allowances.get(staffId) ?? 0) : 0;
        extra.allowanceDetail = period9
          ? {
              hostInstitutionId: period9.hostInstitutionId,
              kind: period9.kind,
              from: period9.from,
              to: period9.to ?? null,
              monthlyAllowance: period9.monthlyAllowance,
              onPayroll,
              amount: extra.allowance,
            }
          : null;
      }
      if (floor !== undefined) {
        const row = rowOf.get(staffId);
        const applies = institution.funding === 1 && onPayroll && row !== undefined;
        extra.fiscalTopUp = applies ? fiscalTopUp(floor, row, basic + amount) : 0;
        extra.topUp = applies ? floorTopUp(floor, row, basic + amount, extra.fiscalTopUp) : null;
      }
      const gross = basic + amount + adjustment + (extra.allowance ?? 0) + (extra.fiscalTopUp ?? 0);
      const paid = paidBy.get(staffId) ?? null;
      const reconciles =
        paid !== null &&
        paid.basic === basic &&
        paid.amount === amount &&
        paid.adjustment === adjustment &&
        (paid.allowance ?? 0) === (extra.allowance ?? 0) &&
        (paid.fiscalTopUp ?? 0) === (extra.fiscalTopUp ?? 0) &&
        paid.gross === gross;
      if (!reconciles)
        differences.push(
          `${staffId}: computed ${gross} fen, stored ${paid === null ? 'no line' : `${paid.gross} fen`}`,
        );
      return {
        staffId,
        name: person.name,
        department: person.department,
        post: person.post,
        points: exact(points.get(staffId) ?? ZERO),
        split: line,
        basic,
        adjustment,
        amount,
        ...(own.length > 0 ? { departmentId: person.department } : {}),
        ...extra,
        gross,
        paid,
        reconciles,
      };
    });

  const score =
    stored.kind === 'monthly'
      ? null
      : explainScore(
          scheme,
          institution,
          slice.indicators,
          slice.values,
          slice.months,
          stored.score,
          slice.scoring,
        );
  if (score && !score.reconciles) differences.push(`score: computed ${score.score}, stored ${score.stored}`);

  return {
    lineage: slice.lineage,
    institution: {
      id: institution.id,
      name: institution.name,
      kind: institution.kind,
      funding: institution.funding,
      tier: institution.tier,
    },
    pool,
    split: summary,
    ...(departments ? { departments } : {}),
    lines,
    score,
    reconciles: differences.length === 0,
    differences,
  };
}

function paidLines(stored: StoredResults) {
  const paid = new Map<string, NonNullable<PersonLine['paid']>>();
  if (stored.kind === 'monthly') {
    for (const l of stored.result.lines)
      paid.set(l.staffId, {
        basic: l.basic,
        amount: l.reward,
        adjustment: l.adjustment,
        ...(l.allowance === undefined ? {} : { allowance: l.allowance }),
        ...(l.fiscalTopUp === undefined ? {} : { fiscalTopUp: l.fiscalTopUp }),
        gross: l.gross,
      });
  } else {
    for (const l of stored.allocation.lines)
      paid.set(l.staffId, { basic: 0, amount: l.amount, adjustment: 0, gross: l.amount });
  }
  return paid;
}

/** §9.2 the floor's derivation for one person's month (the amount as the domain computes it). */
function floorTopUp(
  floor: number,
  row: Pick<WorkloadRow, 'attendedDays' | 'scheduledDays'>,
  basicPlusReward: number,
  amount: number,
): FloorTopUp {
  const dueExact = rational(floor).mul(rational(row.attendedDays)).div(rational(row.scheduledDays));
  return {
    floor,
    attendedDays: row.attendedDays,
    scheduledDays: row.scheduledDays,
    dueExact: exact(dueExact),
    due: roundFen(dueExact),
    basicPlusReward,
    amount,
  };
}

/**
 * §9.1 the two-level split written out: the pool over the departments by P_d (ties by departmentId), then
 * each X_d over its members by pts (ties by staffId) — or, for a department whose head's amounts were
 * approved (manual), the amounts as paid, which sum to X_d.
 */
function explainDepartments(
  pool: number,
  points: ReadonlyMap<string, Fraction>,
  staffById: ReadonlyMap<string, Staff>,
  departments: readonly Department[],
  manual: ReadonlySet<string>,
  paidBy: ReadonlyMap<string, NonNullable<PersonLine['paid']>>,
) {
  const sorted = [...departments].sort((a, b) => (a.departmentId < b.departmentId ? -1 : 1));
  const members = new Map<string, { id: string; weight: Fraction }[]>(
    sorted.map((d) => [d.departmentId, []]),
  );
  for (const [staffId, pts] of points)
    members.get(staffById.get(staffId)?.department ?? '')?.push({ id: staffId, weight: pts });
  const memberPoints = new Map(
    sorted.map((d) => [d.departmentId, sum(members.get(d.departmentId)!.map((m) => m.weight))]),
  );
  const first = explainSplit(
    pool,
    sorted.map((d) => ({
      id: d.departmentId,
      weight: rational(d.coefficient).mul(memberPoints.get(d.departmentId)!),
    })),
  );
  const lines = new Map<string, SplitLine>();
  const manualAmounts = new Map<string, number>();
  const out: DepartmentExplanation[] = sorted.map((d) => {
    const share = first.lines.get(d.departmentId)!;
    const x = first.summary.undistributed > 0 ? 0 : share.amount;
    const second = explainSplit(x, members.get(d.departmentId)!);
    const mode = manual.has(d.departmentId) ? ('manual' as const) : ('rule' as const);
    for (const [id, line] of second.lines) {
      lines.set(id, line);
      if (mode === 'manual') manualAmounts.set(id, paidBy.get(id)?.amount ?? 0);
    }
    return {
      departmentId: d.departmentId,
      name: d.name,
      coefficient: d.coefficient,
      memberPoints: exact(memberPoints.get(d.departmentId)!),
      points: share.weight,
      totalPoints: first.summary.totalWeight,
      leftover: first.summary.leftover,
      share,
      pool: x,
      mode,
      split: second.summary,
    };
  });
  return { summary: first.summary, departments: out, lines, manualAmounts };
}

export function monthlyDerivation(
  scheme: Scheme,
  institution: Pick<Institution, 'approvedTotal'>,
  roster: readonly Pick<Staff, 'basicMonthly'>[],
  period: string,
): MonthlyPoolDerivation {
  const basicMonthlyTotal = roster.reduce((a, s) => a + s.basicMonthly, 0);
  const totals = rewardTotal(
    institution.approvedTotal,
    roster.map((s) => s.basicMonthly),
    scheme,
  );
  const month = monthNumber(period);
  const m = monthlyPool(totals.reward, month, scheme.pay.holdbackRate);
  const monthBase = Math.floor(totals.reward / 12);
  const remainderMonths = totals.reward - monthBase * 12;
  return {
    kind: 'monthly',
    approvedTotal: institution.approvedTotal,
    rosterSize: roster.length,
    basicMonthlyTotal,
    basicPayroll: 12 * basicMonthlyTotal,
    rewardTotal: totals.reward,
    basicShare: totals.basicShare ? exact(totals.basicShare) : null,
    basicShareRange: [...scheme.pay.basicShareRange] as [string, string],
    basicShareOutOfRange: totals.basicShareOutOfRange,
    month,
    monthBase,
    remainderMonths,
    monthExtraFen: month <= remainderMonths ? 1 : 0,
    pool: m.pool,
    holdbackRate: scheme.pay.holdbackRate,
    holdbackExact: exact(rational(m.pool).mul(rational(scheme.pay.holdbackRate))),
    holdback: m.holdback,
    distributable: m.distributable,
    undistributed: 0,
  };
}

const ELIGIBLE = new Set<string>(ELIGIBLE_REVENUE_CATEGORIES);

export function quarterlyDerivation(
  scheme: Scheme,
  finance: readonly FinanceRow[],
  months: readonly string[],
): QuarterlyPoolDerivation {
  const window = new Set(months);
  const rows = finance.filter((f) => window.has(f.period));
  const byCategory = new Map<string, number>();
  for (const r of rows) byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + r.amount);
  const categories = [...byCategory].sort(([a], [b]) => (a < b ? -1 : 1));
  const revenue = categories
    .filter(([c]) => ELIGIBLE.has(c))
    .map(([category, amount]) => ({ category, amount }));
  const excluded = categories
    .filter(([c]) => !ELIGIBLE.has(c) && c !== 'operating_cost')
    .map(([category, amount]) => ({ category, amount }));
  const eligibleRevenue = revenue.reduce((a, r) => a + r.amount, 0);
  const operatingCost = byCategory.get('operating_cost') ?? 0;
  const pool = surplusPool(rows, scheme.pay.surplus);
  return {
    kind: 'quarterly',
    months: [...months],
    revenue,
    eligibleRevenue,
    operatingCost,
    excluded,
    surplus: pool.surplus,
    fundExtractionRate: scheme.pay.surplus.fundExtractionRate,
    fundExtraction: pool.fundExtraction,
    rewardShare: scheme.pay.surplus.rewardShare,
    pool: pool.pool,
  };
}

function annualDerivation(
  institution: Institution,
  stored: Extract<StoredResults, { kind: 'annual' }>,
): AnnualPoolDerivation {
  const reserveMonths = [...stored.reserveMonths].sort((a, b) => (a.period < b.period ? -1 : 1));
  const reserve = reserveMonths.reduce((a, m) => a + m.holdback + m.undistributed, 0);
  const released = applyRate(reserve, stored.grade.reserveRelease);
  let insurance: InsurancePart | null = null;
  if (stored.insurance) {
    const weights = stored.insurance.members.map((m) => ({
      id: m.institutionId,
      weight: rational(m.score).mul(m.headcount).mul(rational(m.tier)),
    }));
    const { summary, lines } = explainSplit(stored.insurance.payPart, weights);
    const own = stored.insurance.members.find((m) => m.institutionId === institution.id);
    const line = lines.get(institution.id);
    if (own && line && summary.undistributed === 0)
      insurance = {
        payPart: stored.insurance.payPart,
        score: own.score,
        headcount: own.headcount,
        tier: own.tier,
        weight: line.weight,
        totalWeight: summary.totalWeight,
        split: line,
      };
  }
  const insurancePayPart = insurance?.split.amount ?? 0;
  return {
    kind: 'annual',
    score: stored.score.score,
    grade: stored.grade.grade,
    coefficient: stored.grade.coefficient,
    reserveRelease: stored.grade.reserveRelease,
    reserveMonths,
    reserve,
    released,
    toDevelopmentFund: reserve - released,
    insurance,
    insurancePayPart,
    pool: released + insurancePayPart,
  };
}

export interface IndicatorExplanation {
  indicatorId: string;
  nameZh: string;
  nameEn: string;
  dimension: string;
  cadence: string;
  direction: string;
  aggregation: string;
  method: string;
  weight: string;
  target: string | null;
  floor: string | null;
  params: string | null;
  /** |W|/12 for `sum` indicators, else 1; target and floor below are after it. */
  proration: Exact;
  effectiveTarget: Exact | null;
  effectiveFloor: Exact | null;
  /** The window's rows. */
  rows: { period: string; value: string | null; numerator: string | null; denominator: string | null }[];
  numerator: Exact | null;
  denominator: Exact | null;
  value: Exact | null;
  missing: boolean;
  /** Data was due in the window by the indicator's cadence (missing and due = 缺报). */
  due: boolean;
  bonus: boolean;
  score: Exact;
  /** Score rounded to 2 decimals (as stored and printed). */
  rounded: string;
}

export interface ScoreExplanation {
  months: string[];
  indicators: IndicatorExplanation[];
  /** Indicators whose appliesTo excludes the institution's kind: outside every sum. */
  notApplicable: string[];
  weightTotal: Exact;
  scoreTotal: Exact;
  /** 100 × Σs ÷ Σw */
  weighted: Exact;
  bonusTotal: Exact;
  bonusCap: string;
  /** min(100, weighted + min(cap, bonus)) before rounding, and rounded half-up to 2 decimals. */
  exactScore: Exact;
  score: string;
  grade: string;
  coefficient: string;
  dimensions: { dimension: string; score: Exact }[];
  stored: string;
  reconciles: boolean;
}

/** Months of a window in which an indicator of this cadence is due (§7: monthly; 3/6/9/12; 12). */
export function isDue(cadence: string, months: readonly string[]): boolean {
  if (cadence === 'monthly') return months.length > 0;
  const numbers = months.map(monthNumber);
  if (cadence === 'quarterly') return numbers.some((m) => m % 3 === 0);
  return numbers.includes(12);
}

export function explainScore(
  scheme: Scheme,
  institution: Pick<Institution, 'kind'>,
  indicators: readonly Indicator[],
  values: readonly IndicatorValue[],
  months: readonly string[],
  stored: Pick<ScoreResult, 'score' | 'grade' | 'coefficient'>,
  scoring?: ScoringContext,
): ScoreExplanation {
  const applicable = indicators
    .filter((i) => appliesTo(i, institution.kind))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byIndicator = rowsByIndicator(values, new Set(months));
  const scores = applicable.map((i) =>
    scoreIndicator(i, byIndicator.get(i.id) ?? [], months.length, scoring),
  );
  const c = composite(scores, rational(scheme.bonusCap));
  const regular = scores.filter((s) => !s.bonus);
  const weightTotal = sum(regular.map((s) => s.weight));
  const scoreTotal = sum(regular.map((s) => s.score));
  const bonusTotal = sum(scores.filter((s) => s.bonus).map((s) => s.score));
  const score = toFixedHalfUp(c.score);
  const grade = gradeFor(c.score, scheme.grades);
  return {
    months: [...months],
    indicators: applicable.map((indicator, k) => {
      const s = scores[k]!;
      const rows = [...(byIndicator.get(indicator.id) ?? [])].sort((a, b) => (a.period < b.period ? -1 : 1));
      const factor = prorationFactor(indicator, months.length);
      const ratio = indicator.aggregation === 'ratio' && rows.length > 0;
      return {
        indicatorId: indicator.id,
        nameZh: indicator.nameZh,
        nameEn: indicator.nameEn,
        dimension: indicator.dimension,
        cadence: indicator.cadence,
        direction: indicator.direction,
        aggregation: indicator.aggregation,
        method: indicator.method,
        weight: indicator.weight,
        target: indicator.target ?? null,
        floor: indicator.floor ?? null,
        params: indicator.params ?? null,
        proration: exact(factor),
        effectiveTarget:
          indicator.target === undefined ? null : exact(rational(indicator.target).mul(factor)),
        effectiveFloor: indicator.floor === undefined ? null : exact(rational(indicator.floor).mul(factor)),
        rows: rows.map((r) => ({
          period: r.period,
          value: r.value ?? null,
          numerator: r.numerator ?? null,
          denominator: r.denominator ?? null,
        })),
        numerator: ratio ? exact(sum(rows.map((r) => rational(r.numerator ?? '0')))) : null,
        denominator: ratio ? exact(sum(rows.map((r) => rational(r.denominator ?? '0')))) : null,
        value: s.value === null ? null : exact(s.value),
        missing: s.missing,
        due: isDue(indicator.cadence, months),
        bonus: s.bonus,
        score: exact(s.score),
        rounded: toFixedHalfUp(s.score),
      };
    }),
    notApplicable: indicators.filter((i) => !appliesTo(i, institution.kind)).map((i) => i.id),
    weightTotal: exact(weightTotal),
    scoreTotal: exact(scoreTotal),
    weighted: exact(weightTotal.n === 0n ? ZERO : HUNDRED.mul(scoreTotal).div(weightTotal)),
    bonusTotal: exact(bonusTotal),
    bonusCap: scheme.bonusCap,
    exactScore: exact(c.exact),
    score,
    grade: grade.grade,
    coefficient: stored.coefficient,
    dimensions: [...c.dimensions].map(([dimension, value]) => ({ dimension, score: exact(value) })),
    stored: stored.score,
    reconciles: score === stored.score,
  };
}

export interface PersonExplanation {
  lineage: Lineage;
  staff: {
    staffId: string;
    name: string;
    department: string;
    post: string;
    postCoefficient: string;
    flags: string[];
    basicMonthly: number;
  };
  institution: InstitutionExplanation['institution'];
  /** The cycle's component: reward (monthly), quarterlySurplus or annualBonus. */
  component: 'reward' | 'quarterlySurplus' | 'annualBonus';
  /** Basic pay (monthly): basicMonthly when on the month's payroll (a workload row), whatever the score. */
  basic: { basicMonthly: number; onPayroll: boolean; amount: number } | null;
  points: { rows: PointsRow[]; total: Exact };
  pool: PoolDerivation;
  /** The split the person's share comes from: the pool's, or (§9.1) their department's second level. */
  split: SplitSummary;
  share: SplitLine | null;
  /** §9.1 the person's department: P_d, its share X_d of the pool and how X_d reached its members. */
  department: DepartmentExplanation | null;
  adjustments: { amount: number; reason: string; refPeriod: string }[];
  /** §9.5 allowance (monthly, datasets with secondments; null otherwise). */
  allowance: { amount: number; detail: AllowanceDetail | null } | null;
  /** §9.2 county finance's top-up to the floor (monthly, schemes with funding1Floor; null otherwise). */
  fiscalTopUp: { amount: number; detail: FloorTopUp | null } | null;
  /** 院长年薪 (annual, heads paid by county finance): target × coefficient of the institution's grade. */
  leaderSalary: { targetAnnualSalary: number; coefficient: string; salary: number } | null;
  amount: number;
  adjustment: number;
  gross: number;
  paid: PersonLine['paid'];
  reconciles: boolean;
  /** The institution's score behind the pool (quarterly, annual). */
  score: ScoreExplanation | null;
}

/** One person's explanation, cut from their institution's (the split needs everyone's points). */
export function explainPerson(
  slice: InstitutionSlice,
  explained: InstitutionExplanation,
  staffId: string,
  leader?: { targetAnnualSalary: number; coefficient: string; salary: number } | null,
): PersonExplanation | null {
  const person = slice.roster.find((s) => s.staffId === staffId);
  if (!person) return null;
  const line = explained.lines.find((l) => l.staffId === staffId);
  const kind = slice.lineage.kind;
  const rows = slice.workload.filter((w) => w.staffId === staffId);
  const pointRows = pointsRows(rows, person, slice.scheme.pay.tilt);
  const department = explained.departments?.find((d) => d.departmentId === person.department) ?? null;
  return {
    lineage: slice.lineage,
    staff: {
      staffId,
      name: person.name,
      department: person.department,
      post: person.post,
      postCoefficient: person.postCoefficient,
      flags: [...person.flags],
      basicMonthly: person.basicMonthly,
    },
    institution: explained.institution,
    component: kind === 'monthly' ? 'reward' : kind === 'quarterly' ? 'quarterlySurplus' : 'annualBonus',
    basic:
      kind === 'monthly'
        ? { basicMonthly: person.basicMonthly, onPayroll: rows.length > 0, amount: line?.basic ?? 0 }
        : null,
    points: { rows: pointRows, total: exact(sum(pointRows.map((r) => rational(r.points.exact)))) },
    pool: explained.pool,
    split: department?.split ?? explained.split,
    share: line?.split ?? null,
    department,
    adjustments: slice.adjustments
      .filter((a) => a.staffId === staffId)
      .map((a) => ({ amount: a.amount, reason: a.reason, refPeriod: a.refPeriod })),
    allowance:
      line?.allowance === undefined ? null : { amount: line.allowance, detail: line.allowanceDetail ?? null },
    fiscalTopUp:
      line?.fiscalTopUp === undefined ? null : { amount: line.fiscalTopUp, detail: line.topUp ?? null },
    leaderSalary: leader ?? null,
    amount: line?.amount ?? 0,
    adjustment: line?.adjustment ?? 0,
    gross: line?.gross ?? 0,
    paid: line?.paid ?? null,
    reconciles: line ? line.reconciles : true,
    score: explained.score,
  };
}
