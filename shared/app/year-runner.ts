/**
 * A whole year through the real workflows: every monthly cycle, each quarter after its months (with a
 * finance approval), then the annual cycle (with a finance approval). Used by `medcomm year`, the demo
 * and the bench.
 */
import { monthsOfYear, quarterKey } from '../domain/periods.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import type { CycleKind } from '../store/keys.js';
import { decideReview, type ExecutionPort, startCycle } from './cycle-service.js';

export interface YearStep {
  kind: CycleKind;
  period: string;
}

export function yearSteps(year: number): YearStep[] {
  const steps: YearStep[] = [];
  monthsOfYear(year).forEach((month, i) => {
    steps.push({ kind: 'monthly', period: month });
    if ((i + 1) % 3 === 0)
      steps.push({ kind: 'quarterly', period: quarterKey(year, ((i + 1) / 3) as 1 | 2 | 3 | 4) });
  });
  steps.push({ kind: 'annual', period: String(year) });
  return steps;
}

export class CycleDidNotComplete extends Error {
  override readonly name = 'CycleDidNotComplete' as const;
}

/** Runs one cycle to the end, approving its review as `approver` when it pauses for one. */
export async function runCycleToEnd(
  repos: Repositories,
  port: ExecutionPort,
  step: YearStep & {
    communityId: string;
    by: string;
    approver: string;
    allowMissing?: readonly string[] | 'all';
    /** §9.1 manual mode: what answers a month waiting for its department heads (the demo's users). */
    secondary?: (cycle: CycleRecord) => Promise<void>;
  },
): Promise<CycleRecord> {
  await startCycle(repos, port, step);
  // The record returned by start is the one written before the run; read where the run left it.
  let afterRun = await repos.cycles.get(step.communityId, step.kind, step.period);
  if (afterRun?.status === 'running' && step.kind === 'monthly') {
    const window = await repos.secondary.window({
      communityId: step.communityId,
      period: step.period,
      revision: afterRun.revision,
    });
    if (window?.status === 'open') {
      if (!step.secondary)
        throw new CycleDidNotComplete(
          `${step.period} 等待科室主任分配（手工模式）：medcomm secondary status/submit/approve，然后 medcomm secondary close ${step.period} / ` +
            `${step.period} waits for the department heads (manual mode): medcomm secondary status/submit/approve, then medcomm secondary close ${step.period}`,
        );
      await step.secondary(afterRun);
      afterRun = await repos.cycles.get(step.communityId, step.kind, step.period);
    }
  }
  if (afterRun?.status === 'awaiting_review') {
    await decideReview(repos, port, { ...step, by: step.approver, approve: true });
  }
  const final = await repos.cycles.get(step.communityId, step.kind, step.period);
  if (final?.status !== 'completed') {
    const reason = final?.error ? `: ${final.error.name} ${final.error.message}` : '';
    throw new CycleDidNotComplete(`${step.kind} ${step.period} ended ${final?.status ?? 'missing'}${reason}`);
  }
  return final;
}

export async function runYear(
  repos: Repositories,
  port: ExecutionPort,
  options: {
    communityId: string;
    year: number;
    by: string;
    approver: string;
    /** Institutions without workload rows that the starter accepts to pay nothing (see startCycle). */
    allowMissing?: readonly string[] | 'all';
    onStep?: (step: YearStep, index: number, total: number) => void;
    /** Each cycle as it completed, before the next starts (the demo writes its files meanwhile). */
    onCompleted?: (cycle: CycleRecord) => void;
    /** §9.1 manual mode: what answers a month waiting for its department heads (see runCycleToEnd). */
    secondary?: (cycle: CycleRecord) => Promise<void>;
  },
): Promise<void> {
  const steps = yearSteps(options.year);
  for (const [index, step] of steps.entries()) {
    options.onStep?.(step, index, steps.length);
    const completed = await runCycleToEnd(repos, port, {
      ...step,
      communityId: options.communityId,
      by: options.by,
      approver: options.approver,
      ...(options.allowMissing ? { allowMissing: options.allowMissing } : {}),
      ...(options.secondary ? { secondary: options.secondary } : {}),
    });
    options.onCompleted?.(completed);
  }
}
