/**
 * The three cycle state machines (DOMAIN.md §7) as CDK state graphs. Each starts with {cycle: CycleRef}
 * and passes keys only.
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  type CycleFunctions,
  catchAll,
  failurePath,
  financeReview,
  lambdaStep,
  perInstitution,
} from './common.js';
import { SECONDARY_CHOICE, secondaryWait } from './secondary.js';

function prepare(scope: Construct, fns: CycleFunctions, onFailure: sfn.IChainable) {
  const step = lambdaStep(scope, 'PrepareCycle', fns.PrepareCycle, '$.prepared');
  catchAll(step, onFailure);
  return step;
}

function guarded<T extends sfn.TaskStateBase | sfn.Map>(state: T, onFailure: sfn.IChainable): T {
  catchAll(state, onFailure);
  return state;
}

/**
 * 月调度: check inputs → [§9.1 manual mode: department heads' split, until the office closes the window] →
 * pay per institution → dispatch report → lock the month. A month in rule mode goes straight to the pay.
 */
export function monthlyDefinition(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const onFailure = failurePath(scope, fns);
  const pay = sfn.Chain.start(
    guarded(
      perInstitution(scope, 'ComputeMonthlyPayEach', 'ComputeMonthlyPay', fns.ComputeMonthlyPay),
      onFailure,
    ),
  )
    .next(guarded(lambdaStep(scope, 'BuildMonthlyReport', fns.BuildMonthlyReport), onFailure))
    .next(guarded(lambdaStep(scope, 'CompleteCycle', fns.CompleteCycle), onFailure))
    .next(new sfn.Succeed(scope, 'Completed'));
  return prepare(scope, fns, onFailure).next(
    new sfn.Choice(scope, SECONDARY_CHOICE)
      .when(
        sfn.Condition.isPresent('$.prepared.secondary'),
        secondaryWait(scope, fns, onFailure, guarded, pay),
      )
      .otherwise(pay),
  );
}

/**
 * The shape the quarterly and annual cycles share: per-institution scoring → a community-wide step →
 * finance review → allocation per institution → done.
 */
function reviewedCycle(
  scope: Construct,
  fns: CycleFunctions,
  steps: { score: [string, string, IFunction]; summarize: [string, IFunction]; allocate: [string, string] },
): sfn.IChainable {
  const onFailure = failurePath(scope, fns);
  const allocateAndComplete = sfn.Chain.start(
    guarded(perInstitution(scope, ...steps.allocate, fns.AllocatePool), onFailure),
  )
    .next(guarded(lambdaStep(scope, 'CompleteCycle', fns.CompleteCycle), onFailure))
    .next(new sfn.Succeed(scope, 'Completed'));
  return prepare(scope, fns, onFailure)
    .next(guarded(perInstitution(scope, ...steps.score), onFailure))
    .next(guarded(lambdaStep(scope, ...steps.summarize), onFailure))
    .next(financeReview(scope, fns, onFailure, allocateAndComplete));
}

/** 季通报: scores and surplus pools → bulletin → finance review → allocation → done. */
export const quarterlyDefinition = (scope: Construct, fns: CycleFunctions) =>
  reviewedCycle(scope, fns, {
    score: ['ScoreQuarterEach', 'ScoreQuarter', fns.ScoreQuarter],
    summarize: ['BuildBulletin', fns.BuildBulletin],
    allocate: ['AllocateQuarterEach', 'AllocateQuarterPool'],
  });

/** 年考核: annual scores → settlements → finance review → allocation → lock the year. */
export const annualDefinition = (scope: Construct, fns: CycleFunctions) =>
  reviewedCycle(scope, fns, {
    score: ['ScoreAnnualEach', 'ScoreAnnual', fns.ScoreAnnual],
    summarize: ['SettleAnnual', fns.SettleAnnual],
    allocate: ['AllocateAnnualEach', 'AllocateAnnualPool'],
  });

export const CYCLE_DEFINITIONS = {
  monthly: monthlyDefinition,
  quarterly: quarterlyDefinition,
  annual: annualDefinition,
} as const;
