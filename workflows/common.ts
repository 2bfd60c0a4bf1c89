/**
 * Pieces every cycle state machine shares: named retry policies, the failure path, the institution Map
 * and the finance-review callback. Pure builders over CDK constructs — the one definition that is
 * synthesized for AWS and for the local interpreter alike.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { FunctionId } from '../functions/registry.js';
import { MAP_CONCURRENCY } from '../shared/app/institution-batches.js';

export type CycleFunctions = Record<FunctionId, IFunction>;

/** Lambda's own transient faults and throttling (incl. TooManyRequests when concurrency runs out). */
export const RETRY_LAMBDA_TRANSIENT: sfn.RetryProps = {
  errors: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  jitterStrategy: sfn.JitterType.FULL,
};

/** DynamoDB throttling that outlasted the SDK's own retries: wait longer, then try the whole step again. */
export const RETRY_STORE_THROTTLED: sfn.RetryProps = {
  errors: [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'TransactionConflictException',
  ],
  interval: Duration.seconds(5),
  maxAttempts: 4,
  backoffRate: 2,
  jitterStrategy: sfn.JitterType.FULL,
};

/** Errors a person must fix (bad period, missing prerequisites): retrying cannot help. */
export const USER_ERRORS = ['PrerequisiteError', 'LockedPeriodError', 'NotFoundError', 'ReviewStateError'];

export const ERROR_PATH = '$.error';

/** A Lambda task with the shared retries; its result is discarded unless a path is given. */
export function lambdaStep(
  scope: Construct,
  id: string,
  fn: IFunction,
  resultPath: string = sfn.JsonPath.DISCARD,
): tasks.LambdaInvoke {
  // CDK's built-in service-exception retry is off: RETRY_LAMBDA_TRANSIENT covers the same errors plus throttling.
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    resultPath,
  });
  task.addRetry(RETRY_LAMBDA_TRANSIENT);
  task.addRetry(RETRY_STORE_THROTTLED);
  return task;
}

/** RecordFailure → Fail: the one way a cycle ends when a step fails beyond its retries. */
export function failurePath(scope: Construct, fns: CycleFunctions): sfn.IChainable {
  const record = lambdaStep(scope, 'RecordFailure', fns.RecordFailure);
  return record.next(
    new sfn.Fail(scope, 'CycleFailed', {
      error: 'CycleFailed',
      cause: 'a step failed; see the cycle status',
    }),
  );
}

/** Specific catches before States.TaskFailed before States.ALL, always into $.error. */
export function catchAll(state: sfn.TaskStateBase | sfn.Map, onFailure: sfn.IChainable): void {
  state.addCatch(onFailure, { errors: USER_ERRORS, resultPath: ERROR_PATH });
  state.addCatch(onFailure, { errors: [sfn.Errors.TASKS_FAILED], resultPath: ERROR_PATH });
  state.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
}

/**
 * A Map over the prepared batches of institutions running one Lambda per batch — keys in, nothing out.
 * A cycle's history then grows with its batches, not its institutions (shared/app/institution-batches.ts);
 * each iteration carries a reference to its batch (PrepareCycle stored the ids), so no state grows with
 * the length of an id.
 */
export function perInstitution(scope: Construct, id: string, stepId: string, fn: IFunction): sfn.Map {
  const map = new sfn.Map(scope, id, {
    itemsPath: '$.prepared.institutionBatches',
    itemSelector: { 'cycle.$': '$.cycle', 'batch.$': '$$.Map.Item.Value' },
    maxConcurrency: MAP_CONCURRENCY,
    resultPath: sfn.JsonPath.DISCARD,
  });
  map.itemProcessor(lambdaStep(scope, stepId, fn));
  return map;
}

export const REVIEW_STATE = 'AwaitFinanceReview';
/** Finance has 30 days to decide; after that the cycle fails and must be started again. */
export const REVIEW_TIMEOUT = Duration.days(30);

export const APPROVED_CHOICE = 'ApprovedAlready';

/**
 * The finance review: parks on a task token (RequestReview stores it with this state's input), then
 * continues to `afterApproval`. A rejection (error ReviewRejected) records it and ends the cycle with
 * nothing paid; a timeout fails the cycle. A resumed run of a revision finance already approved (PrepareCycle
 * says so) goes straight on: nobody would answer a second review task, on AWS or locally.
 */
export function financeReview(
  scope: Construct,
  fns: CycleFunctions,
  onFailure: sfn.IChainable,
  afterApproval: sfn.IChainable,
): sfn.Choice {
  const review = new tasks.LambdaInvoke(scope, REVIEW_STATE, {
    lambdaFunction: fns.RequestReview,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      cycle: sfn.JsonPath.objectAt('$.cycle'),
      taskToken: sfn.JsonPath.taskToken,
      stateName: REVIEW_STATE,
      stateInput: sfn.JsonPath.entirePayload,
    }),
    taskTimeout: sfn.Timeout.duration(REVIEW_TIMEOUT),
    retryOnServiceExceptions: false,
    resultPath: sfn.JsonPath.DISCARD,
  });
  review.addRetry(RETRY_LAMBDA_TRANSIENT);
  const rejected = lambdaStep(scope, 'RecordRejection', fns.RecordRejection).next(
    new sfn.Succeed(scope, 'Rejected'),
  );
  review.addCatch(rejected, { errors: ['ReviewRejected'], resultPath: ERROR_PATH });
  review.addCatch(onFailure, { errors: [sfn.Errors.TIMEOUT], resultPath: ERROR_PATH });
  review.addCatch(onFailure, { errors: [sfn.Errors.TASKS_FAILED], resultPath: ERROR_PATH });
  review.addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  review.next(afterApproval);
  return new sfn.Choice(scope, APPROVED_CHOICE)
    .when(sfn.Condition.booleanEquals('$.prepared.approved', true), afterApproval)
    .otherwise(review);
}
