import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import {
  type CallbackHandler,
  createLocalEngine,
  type PausedTask,
  succeedCallback,
  type TaskHandler,
} from '../../../shared/local/asl/engine.js';
import {
  ExecutionAbortedError,
  ExecutionTimedOutError,
  TaskDoesNotExist,
  TaskTimedOut,
} from '../../../shared/local/asl/errors.js';
import type { ExtractedStateMachine } from '../../../shared/local/asl/extract.js';
import { cdkHarness, synthOne } from './cdk-harness.js';

/**
 * Prepare → wait for the reviewer (callback with a token) → apply the decision. Rejections and review
 * timeouts are caught into their own states, with the error at $.error.
 */
function reviewWorkflow(timeoutSeconds?: number): {
  stateMachine: ExtractedStateMachine;
  taskHandlers: Record<string, TaskHandler>;
  notified: unknown[];
} {
  const h = cdkHarness();
  const prepare = new tasks.LambdaInvoke(h.stack, 'Prepare review', {
    lambdaFunction: h.fn('PrepareReview'),
    payloadResponseOnly: true,
    resultPath: '$.review',
  });
  const awaitReview = new tasks.LambdaInvoke(h.stack, 'Await review', {
    lambdaFunction: h.fn('NotifyReviewer'),
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      taskToken: sfn.JsonPath.taskToken,
      period: sfn.JsonPath.stringAt('$.period'),
      reviewId: sfn.JsonPath.stringAt('$.review.id'),
      link: sfn.JsonPath.format(
        'https://review.local/{}/{}',
        sfn.JsonPath.stringAt('$.period'),
        sfn.JsonPath.taskToken,
      ),
    }),
    resultPath: '$.decision',
    ...(timeoutSeconds ? { taskTimeout: sfn.Timeout.duration(Duration.seconds(timeoutSeconds)) } : {}),
  });
  const apply = new tasks.LambdaInvoke(h.stack, 'Apply decision', {
    lambdaFunction: h.fn('ApplyDecision'),
    payloadResponseOnly: true,
    resultPath: '$.applied',
  });
  awaitReview.addCatch(new sfn.Pass(h.stack, 'Review rejected'), {
    errors: ['ReviewRejected'],
    resultPath: '$.error',
  });
  awaitReview.addCatch(new sfn.Pass(h.stack, 'Review timed out'), {
    errors: ['States.Timeout'],
    resultPath: '$.error',
  });
  h.stateMachine('Quarterly', prepare.next(awaitReview).next(apply));

  const notified: unknown[] = [];
  const { stateMachine, taskHandlers } = synthOne(h, 'Quarterly', {
    PrepareReview: async () => ({ id: 'rv-1' }),
    NotifyReviewer: async (event) => {
      notified.push(event);
      return { sent: true };
    },
    ApplyDecision: async (event) => ({
      approved: (event as { decision: { approved: boolean } }).decision.approved,
    }),
  });
  return { stateMachine, taskHandlers, notified };
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('local engine: task tokens', () => {
  it('parks a waitForTaskToken state until sendTaskSuccess, giving the function a token of its own', async () => {
    const { stateMachine, taskHandlers, notified } = reviewWorkflow();
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });

    const execution = engine.startExecution({ period: '2026-Q3' });
    const parked = await until(() => engine.pendingTasks()[0], 'the review to park');
    let settled = false;
    void execution.result.finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(settled).toBe(false);
    expect(parked.stateName).toBe('Await review');
    expect(notified).toEqual([
      {
        taskToken: parked.token,
        period: '2026-Q3',
        reviewId: 'rv-1',
        link: `https://review.local/2026-Q3/${parked.token}`,
      },
    ]);
    engine.sendTaskSuccess(parked.token, { approved: true, by: 'dean' });

    await expect(execution.result).resolves.toEqual({
      period: '2026-Q3',
      review: { id: 'rv-1' },
      decision: { approved: true, by: 'dean' },
      applied: { approved: true },
    });
    expect(engine.pendingTasks()).toEqual([]);
    expect(() => engine.sendTaskSuccess(parked.token, {})).toThrow(TaskDoesNotExist);
  });

  it('routes sendTaskFailure to the Catch for its error name', async () => {
    const { stateMachine, taskHandlers } = reviewWorkflow();
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    const rejectAtOnce: CallbackHandler = (payload, context) => {
      expect((payload as { taskToken: string }).taskToken).toBe(context.token);
      context.sendTaskFailure('ReviewRejected', 'Scores of ward 3 do not add up');
    };

    const output = await engine.run(
      { period: '2026-Q3' },
      { callbackHandlers: { 'Await review': rejectAtOnce } },
    );

    expect(output).toEqual({
      period: '2026-Q3',
      review: { id: 'rv-1' },
      error: { Error: 'ReviewRejected', Cause: 'Scores of ward 3 do not add up' },
    });
  });

  it('raises States.Timeout after TimeoutSeconds, which a Catch handles, and retires the token', async () => {
    const { stateMachine, taskHandlers } = reviewWorkflow(1);
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    let token = '';

    const started = performance.now();
    const output = (await engine.run(
      { period: '2026-Q3' },
      {
        onPause: (paused) => {
          token = paused.token;
        },
      },
    )) as { error: { Error: string } };

    expect(output.error.Error).toBe('States.Timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(engine.pendingTasks()).toEqual([]);
    expect(() => engine.sendTaskSuccess(token, { approved: true })).toThrow(TaskTimedOut);
  });

  it('does not time a callback out after the engine default of 60 s when the state sets no timeout', () => {
    const { stateMachine, taskHandlers } = reviewWorkflow();
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    expect(engine.definition.States['Await review']!.TimeoutSeconds).toBe(2_147_483);
  });

  it('resumes in a new engine at the paused state with the recorded decision, after the first run is aborted', async () => {
    // First "process": run until the review parks, persist what onPause reports, then stop.
    const first = reviewWorkflow();
    const engine1 = createLocalEngine({ definition: first.stateMachine, taskHandlers: first.taskHandlers });
    let paused: PausedTask | undefined;
    const execution1 = engine1.startExecution(
      { period: '2026-Q3' },
      {
        onPause: (p) => {
          paused = p;
        },
      },
    );
    const persisted = JSON.parse(JSON.stringify(await until(() => paused, 'the pause'))) as PausedTask;
    execution1.abort();
    await expect(execution1.result).rejects.toBeInstanceOf(ExecutionAbortedError);
    expect(engine1.pendingTasks()).toEqual([]);
    expect(first.notified).toHaveLength(1);
    expect(persisted).toMatchObject({
      stateName: 'Await review',
      stateInput: { period: '2026-Q3', review: { id: 'rv-1' } },
      executionInput: { period: '2026-Q3' },
    });

    // Second "process": same synthesized definition, entered at the paused state.
    const second = reviewWorkflow();
    const engine2 = createLocalEngine({ definition: second.stateMachine, taskHandlers: second.taskHandlers });
    const resumed = engine2.startExecution(persisted.stateInput!, {
      startAt: persisted.stateName,
      executionInput: persisted.executionInput,
      callbackHandlers: { [persisted.stateName]: succeedCallback({ approved: false, by: 'dean' }) },
    });

    await expect(resumed.result).resolves.toEqual({
      period: '2026-Q3',
      review: { id: 'rv-1' },
      decision: { approved: false, by: 'dean' },
      applied: { approved: false },
    });
    expect(resumed.stats.transitions).toEqual(['Await review', 'Apply decision']);
    expect(second.notified).toEqual([]);
  });

  it('gives every Map iteration its own token and keeps each parked until its own answer', async () => {
    const h = cdkHarness();
    const map = new sfn.Map(h.stack, 'Each ward', { itemsPath: '$.wards' });
    map.itemProcessor(
      new tasks.LambdaInvoke(h.stack, 'Ward sign-off', {
        lambdaFunction: h.fn('AskWardHead'),
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({
          token: sfn.JsonPath.taskToken,
          ward: sfn.JsonPath.stringAt('$'),
        }),
      }),
    );
    h.stateMachine('Flow', map);
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', { AskWardHead: async () => null });
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    const pauses: PausedTask[] = [];

    const execution = engine.startExecution(
      { wards: ['w1', 'w2', 'w3'] },
      { onPause: (p) => void pauses.push(p) },
    );
    await until(() => (pauses.length === 3 ? true : undefined), 'three parked sign-offs');
    expect(new Set(engine.pendingTasks().map((p) => p.token))).toEqual(new Set(pauses.map((p) => p.token)));
    expect(new Set(pauses.map((p) => p.token)).size).toBe(3);
    // Inside a Map the pause cannot be resumed on its own, so no state input is offered.
    expect(pauses.every((p) => p.stateInput === undefined)).toBe(true);
    for (const pause of [...pauses].reverse()) {
      engine.sendTaskSuccess(pause.token, { ward: (pause.payload as { ward: string }).ward, signed: true });
    }

    await expect(execution.result).resolves.toEqual([
      { ward: 'w1', signed: true },
      { ward: 'w2', signed: true },
      { ward: 'w3', signed: true },
    ]);
  });

  it('times the whole execution out at the state machine timeout and releases the parked task', async () => {
    const h = cdkHarness();
    h.stateMachine(
      'Flow',
      new tasks.LambdaInvoke(h.stack, 'Wait forever', {
        lambdaFunction: h.fn('Ask'),
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ token: sfn.JsonPath.taskToken }),
      }),
      { timeout: Duration.seconds(1) },
    );
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', { Ask: async () => null });
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });

    const execution = engine.startExecution({});
    const parked = await until(() => engine.pendingTasks()[0], 'the task to park');

    await expect(execution.result).rejects.toBeInstanceOf(ExecutionTimedOutError);
    expect(engine.pendingTasks()).toEqual([]);
    expect(() => engine.sendTaskSuccess(parked.token, {})).toThrow(TaskTimedOut);
  });

  it('refuses to start at a state that is not at the top level', () => {
    const { stateMachine, taskHandlers } = reviewWorkflow();
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    expect(() => engine.startExecution({}, { startAt: 'Nowhere' })).toThrow(/not a top-level state/);
  });
});
