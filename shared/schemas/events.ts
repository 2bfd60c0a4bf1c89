/**
 * Payloads passed between workflow states. They carry keys only — never lists of staff — so they stay
 * far below Step Functions' 256 KiB limit at any county size.
 */
import { z } from 'zod';

export const CycleKind = z.enum(['monthly', 'quarterly', 'annual']);

export const CycleRef = z.object({
  communityId: z.string().min(1),
  kind: CycleKind,
  period: z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/),
  revision: z.number().int().positive(),
  datasetVersion: z.number().int().positive(),
});
export type CycleRef = z.infer<typeof CycleRef>;

/** The execution input of every cycle state machine. */
export const CycleExecutionInput = z.object({ cycle: CycleRef });
export type CycleExecutionInput = z.infer<typeof CycleExecutionInput>;

/** One institution's step (a correction's recompute runs them one by one). */
export const InstitutionTask = z.object({ cycle: CycleRef, institutionId: z.string().min(1) });
export type InstitutionTask = z.infer<typeof InstitutionTask>;

/** One Map iteration: the cycle and a batch of institution ids (shared/app/institution-batches.ts). */
export const InstitutionBatchTask = z.object({
  cycle: CycleRef,
  institutionIds: z.array(z.string().min(1)).min(1).max(100),
});
export type InstitutionBatchTask = z.infer<typeof InstitutionBatchTask>;

/** What a per-institution handler takes: a Map iteration's batch, or one institution. */
export const InstitutionWork = z.union([InstitutionBatchTask, InstitutionTask]);
/** The ids of either form. */
export const idsOf = (work: z.infer<typeof InstitutionWork>): string[] =>
  'institutionIds' in work ? work.institutionIds : [work.institutionId];

export const PreparedCycle = z.object({
  /** The cycle's institution ids, sorted, in the batches each Map iteration takes (keys only). */
  institutionBatches: z.array(z.array(z.string())),
  /** Finance already approved this revision: a resumed run goes past the review instead of parking again. */
  approved: z.boolean(),
  /**
   * §9.1 manual mode (monthly): the institutions whose department heads split their department pools, in the
   * batches the drafting and the wait iterate (one task token per batch); absent when nobody waits (rule
   * mode, no departments, quarterly and annual cycles).
   */
  secondary: z.object({ institutionBatches: z.array(z.array(z.string()).min(1)).min(1) }).optional(),
});
export type PreparedCycle = z.infer<typeof PreparedCycle>;

/** The review callback's payload: the cycle and the task token to answer. */
export const ReviewTask = z.object({ cycle: CycleRef, taskToken: z.string().min(1) });
export type ReviewTask = z.infer<typeof ReviewTask>;

/** What a Catch hands to the failure recorder (resultPath '$.error'). */
export const FailedCycle = z.object({
  cycle: CycleRef,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type FailedCycle = z.infer<typeof FailedCycle>;
