/**
 * Stored cycle results: what each workflow step writes and later steps, the sheets and the reports read.
 * Money is integer fen; scores and values are already-rounded decimal strings ("70.36"); exact ratios
 * that later steps reuse are kept as fraction strings ("123/7").
 */
import { z } from 'zod';
import { Fen } from './dataset.js';

export const IndicatorResult = z.object({
  indicatorId: z.string(),
  dimension: z.string(),
  weight: z.string(),
  bonus: z.boolean(),
  /** Window value rounded to 2 decimals; null when missing. */
  value: z.string().nullable(),
  missing: z.boolean(),
  /** Score rounded to 2 decimals. */
  score: z.string(),
  /** Exact score ÷ weight, as a fraction string (drives green/amber/red status). */
  attainment: z.string(),
});
export type IndicatorResult = z.infer<typeof IndicatorResult>;

export const ScoreResult = z.object({
  institutionId: z.string(),
  score: z.string(),
  grade: z.string(),
  coefficient: z.string(),
  indicators: z.array(IndicatorResult),
  /** Exact public_health dimension score (fraction string), null when none applies. */
  publicHealthScore: z.string().nullable(),
  /** §9.4: the veto indicator that capped the grade (null: none); absent when no indicator has a veto. */
  vetoedBy: z.string().nullable().optional(),
});
export type ScoreResult = z.infer<typeof ScoreResult>;

export const MonthlyPayLine = z.object({
  staffId: z.string(),
  basic: Fen,
  reward: Fen,
  adjustment: Fen,
  gross: Fen,
  points: z.string(),
  /** §9.5 secondment allowance (only when the dataset has secondments.csv). */
  allowance: Fen.optional(),
  /** §9.2 fiscal top-up to the funding-1 floor (only when scheme.pay.funding1Floor is set). */
  fiscalTopUp: Fen.optional(),
});
export type MonthlyPayLine = z.infer<typeof MonthlyPayLine>;

/** §9.1 one department's part of a pool: P_d (fraction string), X_d and how it reached persons. */
export const DepartmentPoolResult = z.object({
  departmentId: z.string(),
  points: z.string(),
  pool: Fen,
  mode: z.enum(['rule', 'manual']),
});

export const MonthlyInstitutionResult = z.object({
  institutionId: z.string(),
  reward: Fen,
  basicShare: z.string().nullable(),
  basicShareOutOfRange: z.boolean(),
  pool: Fen,
  holdback: Fen,
  distributable: Fen,
  undistributed: Fen,
  /** §9.2 Σ fiscal top-ups: the institution's monthly claim on county finance (财政补助申请). */
  fiscalClaim: Fen.optional(),
  /** §9.1 each department's P_d, pool and mode (only for institutions with departments). */
  departments: z.array(DepartmentPoolResult).optional(),
  lines: z.array(MonthlyPayLine),
});
export type MonthlyInstitutionResult = z.infer<typeof MonthlyInstitutionResult>;

export const QuarterlyInstitutionResult = ScoreResult.extend({
  kind: z.string(),
  surplus: Fen,
  fundExtraction: Fen,
  pool: Fen,
});
export type QuarterlyInstitutionResult = z.infer<typeof QuarterlyInstitutionResult>;

export const BulletinRow = z.object({
  institutionId: z.string(),
  score: z.string(),
  grade: z.string(),
  rank: z.number().int(),
  peerGroup: z.string(),
  change: z.string().nullable(),
  surplus: Fen,
  fundExtraction: Fen,
  pool: Fen,
});
export type BulletinRow = z.infer<typeof BulletinRow>;

export const AllocationLine = z.object({ staffId: z.string(), amount: Fen, points: z.string() });
export type AllocationLine = z.infer<typeof AllocationLine>;

export const PoolAllocation = z.object({
  institutionId: z.string(),
  pool: Fen,
  undistributed: Fen,
  /** §9.1 (institutions with departments): each department's part of the pool. */
  departments: z.array(DepartmentPoolResult).optional(),
  lines: z.array(AllocationLine),
});
export type PoolAllocation = z.infer<typeof PoolAllocation>;

export const AnnualInstitutionResult = ScoreResult.extend({
  reserve: Fen,
});
export type AnnualInstitutionResult = z.infer<typeof AnnualInstitutionResult>;

export const InsuranceResult = z.union([
  z.object({
    outcome: z.literal('surplus'),
    budget: Fen,
    actual: Fen,
    surplus: Fen,
    retained: Fen,
    returned: Fen,
    payPart: Fen,
    developmentPart: Fen,
    payPartByInstitution: z.record(z.string(), Fen),
  }),
  z.object({
    outcome: z.literal('overspend'),
    budget: Fen,
    actual: Fen,
    overspend: Fen,
    reasonable: Fen,
    fundBears: Fen,
    communityBears: Fen,
  }),
  z.object({ outcome: z.literal('balanced'), budget: Fen, actual: Fen }),
]);
export type InsuranceResult = z.infer<typeof InsuranceResult>;

/** §9.3: the community's own appraisal (总院) over a window: S_c and its indicators. */
export const CommunityOwnResult = z.object({
  score: z.string(),
  indicators: z.array(IndicatorResult),
});
export type CommunityOwnResult = z.infer<typeof CommunityOwnResult>;

export const AnnualSettlementResult = z.object({
  communityScore: z.string(),
  communityGrade: z.string(),
  /** §9.3: present when scheme.communityScore weighs the community's own score. */
  communityOwn: CommunityOwnResult.optional(),
  institutions: z.array(
    z.object({
      institutionId: z.string(),
      score: z.string(),
      grade: z.string(),
      coefficient: z.string(),
      reserve: Fen,
      reserveReleased: Fen,
      reserveToDevelopmentFund: Fen,
      insurancePayPart: Fen,
      annualBonusPool: Fen,
      nextApprovedTotal: Fen,
    }),
  ),
  insurance: InsuranceResult,
  publicHealth: z.object({
    total: Fen,
    retainedByCommunity: Fen,
    rows: z.array(
      z.object({
        institutionId: z.string(),
        base: Fen,
        preAllocated: Fen,
        entitlement: Fen,
        settlement: Fen,
        quality: z.string(),
        qualityDefaulted: z.boolean(),
      }),
    ),
  }),
  leaders: z.array(z.object({ staffId: z.string(), institutionId: z.string(), salary: Fen })),
});
export type AnnualSettlementResult = z.infer<typeof AnnualSettlementResult>;
