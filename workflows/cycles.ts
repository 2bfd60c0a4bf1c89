/**
 * The three cycle state machines (DOMAIN.md §7) as CDK state graphs. Each starts with {cycle: CycleRef}
 * and passes keys only.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type CycleFunctions, catchAll, failurePath, financeReview, lambdaStep, perInstitution } from './common.js';

function prepare(scope: Construct, fns: CycleFunctions, onFailure: sfn.IChainable) {
  const step = lambdaStep(scope, 'PrepareCycle', fns.PrepareCycle, '$.prepared');
  catchAll(step, onFailure);
  return step;
}

function guarded<T extends sfn.TaskStateBase | sfn.Map>(state: T, onFailure: sfn.IChainable): T {
  catchAll(state, onFailure);
  return state;
}

/** 月调度: check inputs → pay per institution → dispatch report → lock the month. */
export function monthlyDefinition(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const onFailure = failurePath(scope, fns);
  return prepare(scope, fns, onFailure)
    .next(guarded(perInstitution(scope, 'ComputeMonthlyPayEach', 'ComputeMonthlyPay', fns.ComputeMonthlyPay), onFailure))
    .next(guarded(lambdaStep(scope, 'BuildMonthlyReport', fns.BuildMonthlyReport), onFailure))
    .next(guarded(lambdaStep(scope, 'CompleteCycle', fns.CompleteCycle), onFailure))
    .next(new sfn.Succeed(scope, 'Completed'));
}

/** 季通报: scores and surplus pools → bulletin → finance review → allocation → done. */
export function quarterlyDefinition(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const onFailure = failurePath(scope, fns);
  return prepare(scope, fns, onFailure)
    .next(guarded(perInstitution(scope, 'ScoreQuarterEach', 'ScoreQuarter', fns.ScoreQuarter), onFailure))
    .next(guarded(lambdaStep(scope, 'BuildBulletin', fns.BuildBulletin), onFailure))
    .next(financeReview(scope, fns, onFailure))
    .next(guarded(perInstitution(scope, 'AllocateQuarterEach', 'AllocateQuarterPool', fns.AllocatePool), onFailure))
    .next(guarded(lambdaStep(scope, 'CompleteCycle', fns.CompleteCycle), onFailure))
    .next(new sfn.Succeed(scope, 'Completed'));
}

/** 年考核: annual scores → settlements → finance review → allocation → lock the year. */
export function annualDefinition(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const onFailure = failurePath(scope, fns);
  return prepare(scope, fns, onFailure)
    .next(guarded(perInstitution(scope, 'ScoreAnnualEach', 'ScoreAnnual', fns.ScoreAnnual), onFailure))
    .next(guarded(lambdaStep(scope, 'SettleAnnual', fns.SettleAnnual), onFailure))
    .next(financeReview(scope, fns, onFailure))
    .next(guarded(perInstitution(scope, 'AllocateAnnualEach', 'AllocateAnnualPool', fns.AllocatePool), onFailure))
    .next(guarded(lambdaStep(scope, 'CompleteCycle', fns.CompleteCycle), onFailure))
    .next(new sfn.Succeed(scope, 'Completed'));
}

export const CYCLE_DEFINITIONS = {
  monthly: monthlyDefinition,
  quarterly: quarterlyDefinition,
  annual: annualDefinition,
} as const;
