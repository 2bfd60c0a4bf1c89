/**
 * The canonical, already-validated shape of a dataset (DOMAIN.md §2) as the domain core, the store and
 * the workflows see it. The import (shared/dataset) turns CSV text into this shape; everything after it
 * trusts it. Decimals stay exact decimal strings ("1.10", "0.65"); money is integer fen.
 */
import { z } from 'zod';

/** An exact decimal written in base 10, e.g. "1.1", "-2", "0.065". Never a binary float. */
export const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'exact decimal string');
export type Decimal = z.infer<typeof Decimal>;

/** Money in integer fen (0.01 yuan). */
export const Fen = z.number().int().refine(Number.isSafeInteger, 'safe integer fen');
export type Fen = z.infer<typeof Fen>;

export const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');
export type Month = z.infer<typeof Month>;

export const INSTITUTION_KINDS = [
  'county_hospital',
  'county_tcm',
  'county_mch',
  'county_other',
  'township',
  'community',
  'village',
  'public_health',
  'emergency',
] as const;
export const InstitutionKind = z.enum(INSTITUTION_KINDS);
export type InstitutionKind = z.infer<typeof InstitutionKind>;

export const POSTS = [
  'doctor',
  'nurse',
  'medtech',
  'pharmacist',
  'public_health',
  'admin',
  'logistics',
  'village_doctor',
] as const;
export const Post = z.enum(POSTS);
export type Post = z.infer<typeof Post>;

export const FLAGS = ['key', 'scarce', 'high_risk', 'high_level', 'core'] as const;
export const Flag = z.enum(FLAGS);
export type Flag = z.infer<typeof Flag>;

export const ELIGIBLE_REVENUE_CATEGORIES = [
  'consultation',
  'bed',
  'nursing',
  'surgery',
  'treatment',
  'tcm',
  'general_service',
] as const;
/** Income and cost that pay is decoupled from (脱钩): nothing that touches pay may read these. */
export const EXCLUDED_CATEGORIES = [
  'drug',
  'consumable',
  'exam',
  'lab',
  'drug_cost',
  'consumable_cost',
  'exam_lab_cost',
] as const;
export const FINANCE_CATEGORIES = [
  ...ELIGIBLE_REVENUE_CATEGORIES,
  'operating_cost',
  ...EXCLUDED_CATEGORIES,
] as const;
export const FinanceCategory = z.enum(FINANCE_CATEGORIES);
export type FinanceCategory = z.infer<typeof FinanceCategory>;

export const CADENCES = ['monthly', 'quarterly', 'annual'] as const;
export const DIRECTIONS = ['higher', 'lower'] as const;
export const AGGREGATIONS = ['ratio', 'sum', 'mean', 'min', 'max', 'last', 'secondment_count'] as const;
export const METHODS = [
  'yes_no',
  'ge_target',
  'le_target',
  'linear',
  'bands',
  'deduct',
  'bonus',
  'actual',
  'improve',
] as const;

export const Grade = z.object({
  min: Decimal,
  grade: z.string().min(1),
  coefficient: Decimal,
  reserveRelease: Decimal,
  insuranceGate: Decimal,
});
export type Grade = z.infer<typeof Grade>;

export const Scheme = z.object({
  community: z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    residentPopulation: z.number().int(),
  }),
  year: z.number().int(),
  grades: z.array(Grade).min(1),
  bonusCap: Decimal,
  pay: z.object({
    holdbackRate: Decimal,
    basicShareRange: z.tuple([Decimal, Decimal]),
    growthRate: Decimal,
    tilt: z.object({
      key: Decimal,
      scarce: Decimal,
      high_risk: Decimal,
      high_level: Decimal,
      core: Decimal,
      cap: Decimal,
    }),
    surplus: z.object({ fundExtractionRate: Decimal, rewardShare: Decimal }),
    /** §9.2 保底不封顶: fen per person per month for funding-1 institutions; absent = off. */
    funding1Floor: Fen.optional(),
    /** §9.1 second level of every pool for institutions with departments (default rule). */
    secondary: z.object({ mode: z.enum(['rule', 'manual']) }).optional(),
  }),
  insurance: z.object({
    retentionTiers: z.array(z.object({ upTo: Decimal.nullable(), rate: Decimal })).min(1),
    overspendBand: Decimal,
    overspendFundShare: Decimal,
    retainedToPayShare: Decimal,
  }),
  publicHealth: z.object({ perCapita: Fen, preAllocationRate: Decimal }),
  /** §9.3: the community score weighs the community's own score S_c by ownWeight; absent = §6.1. */
  communityScore: z.object({ ownWeight: Decimal }).optional(),
});
export type Scheme = z.infer<typeof Scheme>;

export const Institution = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: InstitutionKind,
  funding: z.union([z.literal(1), z.literal(2)]),
  tier: Decimal,
  servedPopulation: z.number().int(),
  approvedTotal: Fen,
});
export type Institution = z.infer<typeof Institution>;

export const Staff = z.object({
  staffId: z.string().min(1),
  name: z.string().min(1),
  institutionId: z.string().min(1),
  department: z.string(),
  post: Post,
  postCoefficient: Decimal,
  flags: z.array(Flag),
  basicMonthly: Fen,
  bankAccount: z.string().optional(),
  /** 'nonCard': a real account that is not a card number, so import skipped its Luhn check. */
  accountCheck: z.literal('nonCard').optional(),
  /** Why this account is on more than one staff id (import refuses a shared account without one). */
  sharedAccountReason: z.string().optional(),
  /** 身份证号 (issue 16): personal data, only in the bank files of formats with an idNumber column. */
  idNumber: z.string().optional(),
  /** 开户行, for bank formats with a branch column. */
  branch: z.string().optional(),
});
export type Staff = z.infer<typeof Staff>;

export const Leader = z.object({ staffId: z.string().min(1), targetAnnualSalary: Fen });
export type Leader = z.infer<typeof Leader>;

export const Indicator = z.object({
  id: z.string().min(1),
  nameZh: z.string().min(1),
  nameEn: z.string(),
  dimension: z.string().min(1),
  /** '*' or the kinds it applies to. */
  appliesTo: z.union([z.literal('*'), z.array(InstitutionKind).min(1)]),
  cadence: z.enum(CADENCES),
  direction: z.enum(DIRECTIONS),
  aggregation: z.enum(AGGREGATIONS),
  method: z.enum(METHODS),
  weight: Decimal,
  target: Decimal.optional(),
  floor: Decimal.optional(),
  params: z.string().optional(),
});
export type Indicator = z.infer<typeof Indicator>;

export const IndicatorValue = z.object({
  period: Month,
  institutionId: z.string().min(1),
  indicatorId: z.string().min(1),
  value: Decimal.optional(),
  numerator: Decimal.optional(),
  denominator: Decimal.optional(),
});
export type IndicatorValue = z.infer<typeof IndicatorValue>;

export const FinanceRow = z.object({
  period: Month,
  institutionId: z.string().min(1),
  category: FinanceCategory,
  amount: Fen,
});
export type FinanceRow = z.infer<typeof FinanceRow>;

export const WorkloadRow = z.object({
  period: Month,
  staffId: z.string().min(1),
  workPoints: Decimal,
  quality: Decimal,
  attendedDays: Decimal,
  scheduledDays: Decimal,
});
export type WorkloadRow = z.infer<typeof WorkloadRow>;

export const InsuranceRow = z.object({
  year: z.number().int(),
  budget: Fen,
  actual: Fen.optional(),
  reasonableOverspend: Fen.optional(),
});
export type InsuranceRow = z.infer<typeof InsuranceRow>;

export const Adjustment = z.object({
  period: Month,
  staffId: z.string().min(1),
  amount: Fen,
  reason: z.string(),
  refPeriod: Month,
});
export type Adjustment = z.infer<typeof Adjustment>;

/** §9.1 departments.csv: a department (科室/团队) of an institution. */
export const Department = z.object({
  institutionId: z.string().min(1),
  departmentId: z.string().min(1),
  name: z.string().min(1),
  coefficient: Decimal,
  capMultiple: Decimal.optional(),
  headStaffId: z.string().optional(),
});
export type Department = z.infer<typeof Department>;

export const SECONDMENT_KINDS = ['dispatch', 'up', 'down', 'pairing', 'central'] as const;
/** §9.5 secondments.csv: one period of one person's secondment. */
export const Secondment = z.object({
  staffId: z.string().min(1),
  hostInstitutionId: z.string().min(1),
  kind: z.enum(SECONDMENT_KINDS),
  from: Month,
  to: Month.optional(),
  monthlyAllowance: Fen,
  leaderRole: z.enum(['yes', 'no']),
});
export type Secondment = z.infer<typeof Secondment>;

/** deductions.csv kinds (issue 16): 个税, 养老, 医疗, 失业 and 公积金 withheld by the employer, or 其他. */
export const DEDUCTION_KINDS = ['个税', '养老', '医疗', '失业', '公积金', '其他'] as const;
/** deductions.csv (optional): an amount withheld from one person's pay of one month; it never changes pay. */
export const Deduction = z.object({
  period: Month,
  staffId: z.string().min(1),
  kind: z.enum(DEDUCTION_KINDS),
  amount: Fen,
});
export type Deduction = z.infer<typeof Deduction>;

export const Dataset = z.object({
  scheme: Scheme,
  institutions: z.array(Institution),
  staff: z.array(Staff),
  leaders: z.array(Leader),
  indicators: z.array(Indicator),
  indicatorValues: z.array(IndicatorValue),
  finance: z.array(FinanceRow),
  workload: z.array(WorkloadRow),
  insurance: z.array(InsuranceRow),
  adjustments: z.array(Adjustment),
  /** §9.1 (optional file): absent when the dataset has no departments.csv. */
  departments: z.array(Department).optional(),
  /** §9.5 (optional file): absent when the dataset has no secondments.csv. */
  secondments: z.array(Secondment).optional(),
  /** Withholding (optional file): absent when the dataset has no deductions.csv. */
  deductions: z.array(Deduction).optional(),
});
export type Dataset = z.infer<typeof Dataset>;
