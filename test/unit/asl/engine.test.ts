import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { createLocalEngine, type TaskHandler } from '../../../shared/local/asl/engine.js';
import { ExecutionFailedError, MissingHandlerError } from '../../../shared/local/asl/errors.js';
import { cdkHarness, synthOne } from './cdk-harness.js';

/** An error whose `name` is a string literal, like the handlers' own error classes. */
class ThrottledError extends Error {
  override readonly name = 'ThrottledError' as const;
}
class NotFoundError extends Error {
  override readonly name = 'NotFoundError' as const;
}

describe('local engine: running synthesized definitions', () => {
  it('runs LambdaInvoke tasks with payloadResponseOnly in sequence, passing raw results along', async () => {
    const h = cdkHarness();
    const load = new tasks.LambdaInvoke(h.stack, 'Load period', {
      lambdaFunction: h.fn('LoadPeriod'),
      payloadResponseOnly: true,
    });
    const score = new tasks.LambdaInvoke(h.stack, 'Score period', {
      lambdaFunction: h.fn('ScorePeriod'),
      payloadResponseOnly: true,
      resultPath: '$.scored',
    });
    h.stateMachine('Flow', load.next(score));
    const calls: unknown[] = [];
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', {
      LoadPeriod: async (event) => {
        calls.push(event);
        return { period: '2026-10', staff: 3 };
      },
      ScorePeriod: async (event) => {
        calls.push(event);
        return { points: 42 };
      },
    });

    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });
    const execution = engine.startExecution({ community: 'c1' });

    await expect(execution.result).resolves.toEqual({ period: '2026-10', staff: 3, scored: { points: 42 } });
    expect(calls).toEqual([{ community: 'c1' }, { period: '2026-10', staff: 3 }]);
    expect(execution.stats.transitions).toEqual(['Load period', 'Score period']);
    expect(execution.stats.stateEntries).toBe(2);
  });

  it('wraps a lambda:invoke result in the Invoke envelope so $.Payload paths read it', async () => {
    const h = cdkHarness();
    const invoke = new tasks.LambdaInvoke(h.stack, 'Count staff', {
      lambdaFunction: h.fn('CountStaff'),
      payload: sfn.TaskInput.fromObject({ unit: sfn.JsonPath.stringAt('$.unit') }),
      resultSelector: {
        count: sfn.JsonPath.numberAt('$.Payload.count'),
        status: sfn.JsonPath.numberAt('$.StatusCode'),
      },
      resultPath: '$.staff',
    });
    h.stateMachine('Flow', invoke);
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', {
      CountStaff: async (event) => ({ count: (event as { unit: string }).unit.length }),
    });

    const output = await createLocalEngine({ definition: stateMachine, taskHandlers }).run({
      unit: 'ward-7',
    });

    expect(output).toEqual({ unit: 'ward-7', staff: { count: 6, status: 200 } });
  });

  it('maps over keys with ItemSelector and never runs more items at once than MaxConcurrency', async () => {
    const h = cdkHarness();
    const map = new sfn.Map(h.stack, 'Each institution', {
      itemsPath: '$.institutions',
      maxConcurrency: 2,
      itemSelector: {
        institution: sfn.JsonPath.stringAt('$$.Map.Item.Value'),
        index: sfn.JsonPath.numberAt('$$.Map.Item.Index'),
        period: sfn.JsonPath.stringAt('$.period'),
      },
      resultPath: '$.results',
    });
    map.itemProcessor(
      new tasks.LambdaInvoke(h.stack, 'Settle institution', {
        lambdaFunction: h.fn('Settle'),
        payloadResponseOnly: true,
      }),
    );
    h.stateMachine('Flow', map);
    let inFlight = 0;
    let maxInFlight = 0;
    const settle: TaskHandler = async (event) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      const { institution, index, period } = event as { institution: string; index: number; period: string };
      return `${period}/${index}/${institution}`;
    };
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', { Settle: settle });

    const execution = createLocalEngine({ definition: stateMachine, taskHandlers }).startExecution({
      period: '2026-Q3',
      institutions: ['a', 'b', 'c', 'd', 'e'],
    });

    await expect(execution.result).resolves.toMatchObject({
      results: ['2026-Q3/0/a', '2026-Q3/1/b', '2026-Q3/2/c', '2026-Q3/3/d', '2026-Q3/4/e'],
    });
    expect(maxInFlight).toBe(2);
    expect(execution.stats.mapIterations).toBe(5);
    expect(execution.stats.enteredByState['Settle institution']).toBe(5);
  });

  it('takes the Condition.isNotPresent branch when the field is missing (the IsPresent:false rewrite)', async () => {
    const h = cdkHarness();
    const choice = new sfn.Choice(h.stack, 'Reviewer given?')
      .when(
        sfn.Condition.isNotPresent('$.reviewer'),
        new sfn.Pass(h.stack, 'Default reviewer', {
          result: sfn.Result.fromString('head-nurse'),
          resultPath: '$.reviewer',
        }),
      )
      .otherwise(new sfn.Pass(h.stack, 'Keep reviewer'));
    h.stateMachine('Flow', choice);
    const { stateMachine } = synthOne(h, 'Flow', {});
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers: {} });

    await expect(engine.run({})).resolves.toEqual({ reviewer: 'head-nurse' });
    await expect(engine.run({ reviewer: 'dean' })).resolves.toEqual({ reviewer: 'dean' });
  });

  it('retries a task that throws ThrottledError twice and then succeeds', async () => {
    const h = cdkHarness();
    const write = new tasks.LambdaInvoke(h.stack, 'Write results', {
      lambdaFunction: h.fn('WriteResults'),
      payloadResponseOnly: true,
    });
    // DynamoDB throttles under burst load; a short back-off clears it.
    write.addRetry({
      errors: ['ThrottledError'],
      interval: Duration.seconds(1),
      maxAttempts: 3,
      backoffRate: 2,
    });
    h.stateMachine('Flow', write);
    let attempts = 0;
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', {
      WriteResults: async () => {
        attempts += 1;
        if (attempts <= 2) throw new ThrottledError('Rate exceeded');
        return { written: true };
      },
    });
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers, retryIntervalOverride: 0 });

    const started = performance.now();
    const execution = engine.startExecution({});

    await expect(execution.result).resolves.toEqual({ written: true });
    expect(attempts).toBe(3);
    expect(execution.stats.retries).toBe(2);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('catches a specific error before States.ALL and puts the AWS-shaped error at $.error', async () => {
    const h = cdkHarness();
    const lookup = new tasks.LambdaInvoke(h.stack, 'Look up staff', {
      lambdaFunction: h.fn('LookUp'),
      payloadResponseOnly: true,
    });
    const notFound = new sfn.Pass(h.stack, 'Record missing staff');
    const anythingElse = new sfn.Fail(h.stack, 'Unexpected failure', { error: 'Unexpected' });
    lookup.addCatch(notFound, { errors: ['NotFoundError'], resultPath: '$.error' });
    lookup.addCatch(anythingElse, { errors: ['States.ALL'], resultPath: '$.error' });
    h.stateMachine('Flow', lookup);
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', {
      LookUp: async (event) => {
        const { staffId } = event as { staffId: string };
        if (staffId === 'ghost') throw new NotFoundError(`Staff ${staffId} is not in the roster`);
        throw new TypeError('boom');
      },
    });
    const engine = createLocalEngine({ definition: stateMachine, taskHandlers });

    const caught = (await engine.run({ staffId: 'ghost' })) as {
      staffId: string;
      error: { Error: string; Cause: string };
    };
    expect(caught.staffId).toBe('ghost');
    expect(caught.error.Error).toBe('NotFoundError');
    expect(JSON.parse(caught.error.Cause)).toMatchObject({
      errorType: 'NotFoundError',
      errorMessage: 'Staff ghost is not in the roster',
    });

    const failed = engine.run({ staffId: 'x' });
    await expect(failed).rejects.toBeInstanceOf(ExecutionFailedError);
    await expect(failed).rejects.toMatchObject({ error: 'Unexpected', stateName: 'Unexpected failure' });
  });

  it('gives Map iterations the execution input as $$.Execution.Input, not the item', async () => {
    const h = cdkHarness();
    const map = new sfn.Map(h.stack, 'Each key', { itemsPath: '$.keys' });
    map.itemProcessor(
      new sfn.Pass(h.stack, 'Tag key', {
        parameters: {
          key: sfn.JsonPath.stringAt('$'),
          run: sfn.JsonPath.stringAt('$$.Execution.Input.runId'),
        },
      }),
    );
    h.stateMachine('Flow', map);
    const { stateMachine } = synthOne(h, 'Flow', {});

    const output = await createLocalEngine({ definition: stateMachine, taskHandlers: {} }).run({
      runId: 'r1',
      keys: ['a', 'b'],
    });

    expect(output).toEqual([
      { key: 'a', run: 'r1' },
      { key: 'b', run: 'r1' },
    ]);
  });

  it('fails the execution with States.DataLimitExceeded when a task returns more than 256 KiB, even under States.ALL', async () => {
    const h = cdkHarness();
    const dump = new tasks.LambdaInvoke(h.stack, 'Return every staff', {
      lambdaFunction: h.fn('Dump'),
      payloadResponseOnly: true,
    });
    dump.addCatch(new sfn.Pass(h.stack, 'Swallow'), { errors: ['States.ALL'] });
    h.stateMachine('Flow', dump);
    const { stateMachine, taskHandlers } = synthOne(h, 'Flow', {
      Dump: async () => ({ staff: 'x'.repeat(300_000) }),
    });

    const run = createLocalEngine({ definition: stateMachine, taskHandlers }).run({});

    await expect(run).rejects.toMatchObject({
      error: 'States.DataLimitExceeded',
      stateName: 'Return every staff',
    });
  });

  it('refuses to build an engine when a Task state has no handler, naming the state', () => {
    const h = cdkHarness();
    h.stateMachine(
      'Flow',
      new tasks.LambdaInvoke(h.stack, 'Unbound step', { lambdaFunction: h.fn('Unbound') }),
    );
    const { stateMachine } = synthOne(h, 'Flow', {});

    expect(() => createLocalEngine({ definition: stateMachine, taskHandlers: {} })).toThrow(
      MissingHandlerError,
    );
    expect(() => createLocalEngine({ definition: stateMachine, taskHandlers: {} })).toThrow(/"Unbound step"/);
  });
});
