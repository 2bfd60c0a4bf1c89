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

/** A batch of institution ids given inline (a correction's recompute calls the handlers this way). */
export const InstitutionBatchTask = z.object({
  cycle: CycleRef,
  institutionIds: z.array(z.string().min(1)).min(1).max(100),
});
export type InstitutionBatchTask = z.infer<typeof InstitutionBatchTask>;

/**
 * One of the batches PrepareCycle stored for a cycle revision (shared/store/batches.ts): which list (`all`
 * the cycle's institutions, `secondary` those in §9.1 manual mode) and its place in it. The Maps iterate
 * these, so no state carries an institution id (Step Functions' 256 KiB, whatever an id's length).
 */
export const BatchRef = z.object({
  list: z.enum(['all', 'secondary']),
  index: z.number().int().min(0),
});
export type BatchRef = z.infer<typeof BatchRef>;

/**
 * One Map iteration: the cycle and its batch — a reference, or (a month parked at the §9.1 wait before
 * references, resumed with the state it stored) the ids themselves.
 */
export const BatchRefTask = z.object({
  cycle: CycleRef,
  batch: z.union([BatchRef, z.array(z.string().min(1)).min(1).max(100)]),
});
export type BatchRefTask = z.infer<typeof BatchRefTask>;

/** What a per-batch handler takes: a Map iteration's batch reference, or the ids inline. */
export const InstitutionBatchWork = z.union([BatchRefTask, InstitutionBatchTask]);
export type InstitutionBatchWork = z.infer<typeof InstitutionBatchWork>;

/** What a per-institution handler takes: a Map iteration's batch, a batch of ids, or one institution. */
export const InstitutionWork = z.union([BatchRefTask, InstitutionBatchTask, InstitutionTask]);
export type InstitutionWork = z.infer<typeof InstitutionWork>;

export const PreparedCycle = z.object({
  /**
   * References to the batches of the cycle's institution ids (sorted, stored by PrepareCycle), one per Map
   * iteration: keys only, the same size whatever the ids' length.
   */
  institutionBatches: z.array(BatchRef),
  /** Finance already approved this revision: a resumed run goes past the review instead of parking again. */
  approved: z.boolean(),
  /**
   * §9.1 manual mode (monthly): references to the batches of the institutions whose department heads split
   * their department pools, which the drafting and the wait iterate (one task token per batch); absent when
   * nobody waits (rule mode, no departments, quarterly and annual cycles).
   */
  secondary: z.object({ institutionBatches: z.array(BatchRef).min(1) }).optional(),
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
