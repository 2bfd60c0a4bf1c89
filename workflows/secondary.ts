/**
 * §9.1 manual mode in the monthly state machine: after PrepareCycle names the institutions whose department
 * heads split their department pools, each is drafted (pools, members, the rule split), then waits on its
 * own task token until the office closes the window (SendTaskSuccess per stored token on AWS; locally the
 * definition is re-entered at the wait with the input stored by the first wait). A wait that times out
 * ends like a close: CloseSecondary closes the window itself, and every department without an approved
 * submission is paid by the rule split — the month is never lost. The pay step then reads the approved splits.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type CycleFunctions, ERROR_PATH, lambdaStep, RETRY_LAMBDA_TRANSIENT } from './common.js';
import { SECONDARY_WAIT, SECONDARY_WAIT_MAP } from './secondary-states.js';

export { SECONDARY_CHOICE } from './secondary-states.js';

/** Heads have 20 days; then the window closes itself (rule split for the rest) and the month pays. */
export const SECONDARY_TIMEOUT = Duration.days(20);

type Guard = <T extends sfn.TaskStateBase | sfn.Map>(state: T, onFailure: sfn.IChainable) => T;

export function secondaryWait(
  scope: Construct,
  fns: CycleFunctions,
  onFailure: sfn.IChainable,
  guarded: Guard,
  next: sfn.IChainable,
): sfn.IChainable {
  const open = new sfn.Map(scope, 'OpenSecondaryEach', {
    itemsPath: '$.prepared.secondary.institutionIds',
    itemSelector: {
      'cycle.$': '$.cycle',
      'institutionId.$': '$$.Map.Item.Value',
      'institutionIds.$': '$.prepared.secondary.institutionIds',
    },
    maxConcurrency: 8,
    resultPath: sfn.JsonPath.DISCARD,
  });
  open.itemProcessor(lambdaStep(scope, 'OpenSecondary', fns.OpenSecondary));

  const wait = new tasks.LambdaInvoke(scope, SECONDARY_WAIT, {
    lambdaFunction: fns.RequestSecondary,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      cycle: sfn.JsonPath.objectAt('$.cycle'),
      institutionId: sfn.JsonPath.stringAt('$.institutionId'),
      taskToken: sfn.JsonPath.taskToken,
      stateInput: sfn.JsonPath.objectAt('$.resumeInput'),
    }),
    taskTimeout: sfn.Timeout.duration(SECONDARY_TIMEOUT),
    retryOnServiceExceptions: false,
    resultPath: sfn.JsonPath.DISCARD,
  });
  wait.addRetry(RETRY_LAMBDA_TRANSIENT);
  // A timeout is the window closing by itself: this institution's wait ends normally.
  wait.addCatch(new sfn.Pass(scope, 'SecondaryTimedOut'), {
    errors: [sfn.Errors.TIMEOUT],
    resultPath: ERROR_PATH,
  });
  const waits = new sfn.Map(scope, SECONDARY_WAIT_MAP, {
    itemsPath: '$.prepared.secondary.institutionIds',
    // `$` here is the Map's own input: the first wait stores it, for the local engine to resume from.
    itemSelector: { 'cycle.$': '$.cycle', 'institutionId.$': '$$.Map.Item.Value', 'resumeInput.$': '$' },
    // Every institution waits at once (a token each); Step Functions runs up to 40 iterations together and
    // a later one finds the window closed and answers its own token.
    maxConcurrency: 0,
    resultPath: sfn.JsonPath.DISCARD,
  });
  waits.itemProcessor(wait);

  return sfn.Chain.start(guarded(open, onFailure))
    .next(guarded(waits, onFailure))
    .next(guarded(lambdaStep(scope, 'CloseSecondary', fns.CloseSecondary), onFailure))
    .next(next);
}
