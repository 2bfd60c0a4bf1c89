/**
 * The report documents (DOMAIN.md §8): the monthly dispatch report (调度表), the quarterly bulletin (通报)
 * and the annual appraisal and settlement report. One zod schema per document is the one source of its
 * type, and lets the HTTP API and the tests check a document's shape.
 *
 * Amounts are integer fen (`amountsIn: 'fen'`), as everywhere else in the system; scores, values and
 * coefficients are the already-rounded decimal strings of the stored results. Nothing here carries a bank
 * account. What a document takes over from the stored results (shared/schemas/results.ts) is derived from
 * their schemas rather than written out again.
 */
import { z } from 'zod';
import { Fen } from '../schemas/dataset.js';
import { CycleKind } from '../schemas/events.js';
import {
  AnnualSettlementResult,
  CommunityOwnResult,
  IndicatorResult,
  MonthlyInstitutionResult,
  MonthlyPayLine,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';

export const Status = z.enum(['green', 'amber', 'red', 'grey']);
export type Status = z.infer<typeof Status>;

export const PeerGroup = z.enum(['county', 'primary', 'centre']);
export type PeerGroup = z.infer<typeof PeerGroup>;

/** Where a set of figures comes from: the cycle (and its revision), the dataset version, the scheme. */
export const CycleSource = z.object({
  kind: CycleKind,
  period: z.string(),
  revision: z.number().int(),
  datasetVersion: z.number().int(),
  schemeYear: z.number().int(),
  /** Short content hash of the scheme the cycle used (it is frozen into the dataset version). */
  schemeHash: z.string(),
  startedBy: z.string(),
  startedAt: z.string(),
  /** The finance user who approved (quarterly and annual cycles), null when the cycle needs no review. */
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  /** The results' seal and the completion's place in the audit chain: a paper copy can be checked later. */
  seal: z.string().optional(),
  chainPosition: z.number().int().optional(),
});
export type CycleSource = z.infer<typeof CycleSource>;

export const Community = z.object({ id: z.string(), name: z.string() });

/** An indicator as the reports name it. */
export const IndicatorInfo = z.object({
  indicatorId: z.string(),
  name: z.string(),
  nameEn: z.string(),
  dimension: z.string(),
  cadence: z.string(),
  weight: z.string(),
  bonus: z.boolean(),
});
export type IndicatorInfo = z.infer<typeof IndicatorInfo>;

export const StatusCounts = z.object({
  green: z.number().int(),
  amber: z.number().int(),
  red: z.number().int(),
  grey: z.number().int(),
});
export type StatusCounts = z.infer<typeof StatusCounts>;

export const GradeBand = z.object({ grade: z.string(), min: z.string(), coefficient: z.string() });

/** The scheme's grade bands, and the grade that puts an institution on the red list (the lowest, 不合格). */
const Grading = z.object({ grades: z.array(GradeBand), redListGrade: z.string() });

/** How every report document begins: which report it is, that its amounts are fen, whose it is. */
const documentOf = <R extends string>(report: R) =>
  z.object({ report: z.literal(report), amountsIn: z.literal('fen'), community: Community });

/** One indicator of one institution over the report's window. */
export const IndicatorLine = IndicatorResult.pick({
  indicatorId: true,
  value: true,
  missing: true,
  score: true,
  weight: true,
}).extend({
  /** Score ÷ weight in percent, cut to 1 decimal ("87.5"); null for a zero weight. */
  attainmentPercent: z.string().nullable(),
  status: Status,
});
export type IndicatorLine = z.infer<typeof IndicatorLine>;

export const Warning = z.object({
  institutionId: z.string().nullable(),
  code: z.enum([
    'basic_share_out_of_range',
    'missing_submissions',
    'staff_without_workload',
    'undistributed_pool',
    'public_health_quality_defaulted',
  ]),
  message: z.string(),
});
export type Warning = z.infer<typeof Warning>;

/** Staff named by a report (e.g. on the payroll roster without a workload row). */
export const StaffRef = z.object({
  staffId: z.string(),
  name: z.string(),
  institutionId: z.string(),
  department: z.string(),
});
export type StaffRef = z.infer<typeof StaffRef>;

const Paid = MonthlyPayLine.pick({ basic: true, reward: true, adjustment: true, gross: true });

/** What an institution's staff were paid in the year, by kind of pay. */
const PaidInYear = Paid.omit({ gross: true }).extend({ quarterlySurplus: Fen, annualBonus: Fen });

// ── monthly dispatch report (调度表) ────────────────────────────────────────────────────────────────

// The stored summary, unchanged (the fields of shared/app/reports.ts MonthlyReport): the stored result
// without its pay lines (reward is R, the institution's reward total for the year; basicShare is
// α = 1 − R/T as a fraction string, null when T = 0), its headcount and dispatch, and what was paid.
export const MonthlyDispatchInstitution = MonthlyInstitutionResult.omit({ lines: true }).extend({
  headcount: z.number().int(),
  dispatch: z.object({
    missingSubmissions: z.array(z.string()),
    staffWithoutWorkload: z.array(z.string()),
    yearToDate: z.object({
      score: z.string(),
      indicators: z.array(IndicatorLine.pick({ indicatorId: true, value: true, score: true, status: true })),
    }),
  }),
  paid: Paid,
  // Added for the people who read it.
  name: z.string(),
  kind: z.string(),
  approvedTotal: Fen,
  /** α in percent, 2 decimals ("60.54"). */
  basicSharePercent: z.string().nullable(),
  yearToDate: z.array(IndicatorLine),
  statusCounts: StatusCounts,
});
export type MonthlyDispatchInstitution = z.infer<typeof MonthlyDispatchInstitution>;

export const MonthlyDispatchReport = documentOf('monthly-dispatch').extend({
  period: z.string(),
  revision: z.number().int(),
  datasetVersion: z.number().int(),
  source: CycleSource,
  basicShareRange: z.tuple([z.string(), z.string()]),
  holdbackRate: z.string(),
  totals: Paid.extend({
    holdback: Fen,
    undistributed: Fen,
    lines: z.number().int(),
    pool: Fen,
    distributable: Fen,
  }),
  institutions: z.array(MonthlyDispatchInstitution),
  /** Every indicator any institution is scored on, in id order. */
  indicators: z.array(IndicatorInfo),
  /** The staff the report names (staff without workload). */
  staff: z.array(StaffRef),
  warnings: z.array(Warning),
});
export type MonthlyDispatchReport = z.infer<typeof MonthlyDispatchReport>;

// ── quarterly bulletin (通报) ───────────────────────────────────────────────────────────────────────

export const Trend = z.object({
  periods: z.array(z.string()),
  series: z.array(
    z.object({ institutionId: z.string(), name: z.string(), scores: z.array(z.string().nullable()) }),
  ),
});
export type Trend = z.infer<typeof Trend>;

/** An institution as the reports name it. */
const Named = z.object({
  institutionId: z.string(),
  name: z.string(),
  kind: z.string(),
  peerGroup: PeerGroup,
});

/** What of a pool went to staff and what was left. */
const Allocated = z.object({ allocated: Fen, undistributed: Fen });

/** How an institution did on its indicators over the report's window. */
const Appraised = z.object({
  /** 缺报: due in the window by cadence and not submitted. */
  missingIndicators: z.array(z.string()),
  /** Without a value but not yet due (an annual indicator in Q1–Q3): scored 0 as §3 says, not 缺报. */
  notDueIndicators: z.array(z.string()).optional(),
  indicators: z.array(IndicatorLine),
  statusCounts: StatusCounts,
});

/** The quarter's pools of an institution, as stored. */
const QuarterPools = QuarterlyInstitutionResult.pick({ surplus: true, fundExtraction: true, pool: true });

export const BulletinInstitution = z.object({
  ...Named.shape,
  ...QuarterlyInstitutionResult.pick({ score: true, grade: true, coefficient: true }).shape,
  rank: z.number().int(),
  peerCount: z.number().int(),
  change: z.string().nullable(),
  previousScore: z.string().nullable(),
  redListed: z.boolean(),
  ...QuarterPools.shape,
  ...Allocated.shape,
  paidStaff: z.number().int(),
  ...Appraised.shape,
});
export type BulletinInstitution = z.infer<typeof BulletinInstitution>;

export const QuarterlyBulletinReport = documentOf('quarterly-bulletin').extend({
  period: z.string(),
  source: CycleSource,
  /** The quarter the change is measured against; null in Q1 or when it did not complete. */
  previous: CycleSource.nullable(),
  ...Grading.shape,
  institutions: z.array(BulletinInstitution),
  peerGroups: z.array(
    z.object({ peerGroup: PeerGroup, label: z.string(), institutionIds: z.array(z.string()) }),
  ),
  redList: z.array(
    BulletinInstitution.pick({
      institutionId: true,
      name: true,
      score: true,
      grade: true,
      peerGroup: true,
      rank: true,
    }),
  ),
  trend: Trend,
  totals: QuarterPools.extend(Allocated.shape),
  indicators: z.array(IndicatorInfo),
  /** §9.3 the community's own appraisal over the quarter (S_c and its indicators), when weighed in. */
  communityOwn: CommunityOwnResult.optional(),
});
export type QuarterlyBulletinReport = z.infer<typeof QuarterlyBulletinReport>;

// ── annual appraisal and settlement report ─────────────────────────────────────────────────────────

/** The kinds of pool, in the order the printable report lists the lineage. */
export const PoolKind = z.enum([
  'monthly_reward',
  'quarterly_surplus',
  'reserve',
  'reserve_released',
  'insurance_pay_part',
  'annual_bonus',
  'next_approved_total',
  'public_health',
  'leader_salary',
]);
export type PoolKind = z.infer<typeof PoolKind>;

/** One contribution to a pool: the cycle it was computed in and what it added. */
export const LineageSource = CycleSource.omit({
  startedBy: true,
  startedAt: true,
  approvedBy: true,
  approvedAt: true,
}).extend({
  /** What this source contributed, in fen; null where it supplies a parameter rather than money. */
  amount: Fen.nullable(),
  what: z.string(),
});
export type LineageSource = z.infer<typeof LineageSource>;

/** Where one pool's amount comes from (DOMAIN.md §4: every amount traces back to pool, cycle and scheme). */
export const PoolLineage = z.object({
  pool: PoolKind,
  label: z.string(),
  institutionId: z.string().nullable(),
  staffId: z.string().nullable(),
  amount: Fen,
  rule: z.string(),
  sources: z.array(LineageSource),
});
export type PoolLineage = z.infer<typeof PoolLineage>;

const Settlement = AnnualSettlementResult.shape;
/** An institution's appraisal and settlement, as stored. */
const SettledInstitution = Settlement.institutions.element;

export const AnnualInstitution = z.object({
  ...Named.shape,
  ...SettledInstitution.omit({ institutionId: true }).shape,
  redListed: z.boolean(),
  approvedTotal: Fen,
  ...Allocated.shape,
  paidInYear: PaidInYear,
  ...Appraised.shape,
});
export type AnnualInstitution = z.infer<typeof AnnualInstitution>;

export const AnnualAppraisalReport = documentOf('annual-appraisal').extend({
  year: z.string(),
  source: CycleSource,
  communityScore: Settlement.communityScore,
  communityGrade: Settlement.communityGrade,
  /** §9.3 S_c over the year and its indicators, when the scheme weighs the community's own score. */
  communityOwn: Settlement.communityOwn,
  ...Grading.shape,
  institutions: z.array(AnnualInstitution),
  insurance: Settlement.insurance,
  publicHealth: Settlement.publicHealth.extend({
    perCapita: Fen,
    residentPopulation: z.number().int(),
    preAllocationRate: z.string(),
    rows: z.array(Settlement.publicHealth.shape.rows.element.extend({ name: z.string() })),
  }),
  leaders: z.array(
    Settlement.leaders.element.extend({
      name: z.string(),
      institutionName: z.string(),
      targetAnnualSalary: Fen,
      coefficient: z.string(),
    }),
  ),
  trend: Trend,
  totals: SettledInstitution.omit({
    institutionId: true,
    score: true,
    grade: true,
    coefficient: true,
  }).extend({
    allocated: Fen,
    approvedTotal: Fen,
    leaderSalaries: Fen,
    paidInYear: PaidInYear,
  }),
  /** Every pool of the year and where its amount comes from. */
  lineage: z.array(PoolLineage),
  indicators: z.array(IndicatorInfo),
  warnings: z.array(Warning),
});
export type AnnualAppraisalReport = z.infer<typeof AnnualAppraisalReport>;
