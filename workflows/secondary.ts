/**
 * §9.1 manual mode in the monthly state machine: after PrepareCycle names the institutions whose department
 * heads split their department pools (in batches, as every per-institution Map: shared/app/institution-batches.ts),
 * each batch's institutions are drafted (pools, members, the rule split), then each batch waits on one task
 * token until the office closes the window (SendTaskSuccess per stored token on AWS; locally the definition
 * is re-entered at the Map of waits with the Map's input — the cycle and PrepareCycle's batch references,
 * which each wait carries once and the first stores). A province whose 3,100 institutions all wait is 62
 * tokens, not 3,100: the history grows with the batches (test/infra/history-events.test.ts), and no state
 * with the length of an institution id (test/infra/payloads.test.ts).
 *
 * A wait that times out closes the window itself (CloseSecondaryOnTimeout), so a batch the Map starts only
 * later (AWS runs at most 40 iterations at once) finds it closed and answers its own token at once, and
 * every department without an approved submission is paid by the rule split — the month is never lost.
 * CloseSecondary after the Map closes it if nobody did. The pay step then reads the approved splits.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { MAP_CONCURRENCY } from '../shared/app/institution-batches.js';
import { type CycleFunctions, ERROR_PATH, lambdaStep, RETRY_LAMBDA_TRANSIENT } from './common.js';
import { SECONDARY_WAIT, SECONDARY_WAIT_MAP } from './secondary-states.js';

export { SECONDARY_CHOICE } from './secondary-states.js';

/** Heads have 20 days; then the window closes itself (rule split for the rest) and the month pays. */
export const SECONDARY_TIMEOUT = Duration.days(20);

/** The references to the batches of waiting institutions PrepareCycle hands over. */
export const SECONDARY_BATCHES = '$.prepared.secondary.institutionBatches';

type Guard = <T extends sfn.TaskStateBase | sfn.Map>(state: T, onFailure: sfn.IChainable) => T;

export function secondaryWait(
  scope: Construct,
  fns: CycleFunctions,
  onFailure: sfn.IChainable,
  guarded: Guard,
  next: sfn.IChainable,
): sfn.IChainable {
  const open = new sfn.Map(scope, 'OpenSecondaryEach', {
    itemsPath: SECONDARY_BATCHES,
    itemSelector: { 'cycle.$': '$.cycle', 'batch.$': '$$.Map.Item.Value' },
    maxConcurrency: MAP_CONCURRENCY,
    resultPath: sfn.JsonPath.DISCARD,
  });
  open.itemProcessor(lambdaStep(scope, 'OpenSecondary', fns.OpenSecondary));

  const wait = new tasks.LambdaInvoke(scope, SECONDARY_WAIT, {
    lambdaFunction: fns.RequestSecondary,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      cycle: sfn.JsonPath.objectAt('$.cycle'),
      batch: sfn.JsonPath.objectAt('$.batch'),
      taskToken: sfn.JsonPath.taskToken,
      // The Map of waits' input as the local engine re-enters it: the cycle and the batch references.
      stateInput: { cycle: sfn.JsonPath.objectAt('$.cycle'), prepared: sfn.JsonPath.objectAt('$.prepared') },
    }),
    taskTimeout: sfn.Timeout.duration(SECONDARY_TIMEOUT),
    retryOnServiceExceptions: false,
    resultPath: sfn.JsonPath.DISCARD,
  });
  wait.addRetry(RETRY_LAMBDA_TRANSIENT);
  // A timeout is the window closing by itself: closed here, so the batches still to start answer at once.
  const timedOut = lambdaStep(scope, 'CloseSecondaryOnTimeout', fns.CloseSecondary);
  wait.addCatch(timedOut, { errors: [sfn.Errors.TIMEOUT], resultPath: ERROR_PATH });
  const waits = new sfn.Map(scope, SECONDARY_WAIT_MAP, {
    itemsPath: SECONDARY_BATCHES,
    // The Map's own input is {cycle, prepared}; the wait rebuilds it from these for the local engine to
    // resume from (keys only: carrying `$` whole would give each iteration the cycle twice).
    itemSelector: { 'cycle.$': '$.cycle', 'batch.$': '$$.Map.Item.Value', 'prepared.$': '$.prepared' },
    // Every batch waits at once (a token each); Step Functions runs up to 40 iterations together and a
    // later one finds the window closed and answers its own token.
    maxConcurrency: 0,
    resultPath: sfn.JsonPath.DISCARD,
  });
  waits.itemProcessor(wait);

  return sfn.Chain.start(guarded(open, onFailure))
    .next(guarded(waits, onFailure))
    .next(guarded(lambdaStep(scope, 'CloseSecondary', fns.CloseSecondary), onFailure))
    .next(next);
}
