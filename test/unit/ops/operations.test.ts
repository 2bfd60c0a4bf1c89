/**
 * Operations (issue 12): Powertools logs, metrics and throttle counts of a wrapped workflow step and of
 * an API request, captured from the console (POWERTOOLS_DEV sends Powertools' lines there) — the keys on
 * every line, nothing of a person, the metrics in the product's namespace — and quiet by default locally.
 */
import { Readable } from 'node:stream';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as me } from '../../../functions/api/me.js';
import { asGatewayClaims } from '../../../shared/api/dev-tokens.js';
import type { ApiEvent } from '../../../shared/api/http.js';
import { apiOperations } from '../../../shared/ops/api.js';
import {
  currentScope,
  type InvocationScope,
  instrumentAwsClient,
  newScope,
  noteInstitutions,
  runInScope,
} from '../../../shared/ops/invocation.js';
import { operationsSettings } from '../../../shared/ops/settings.js';
import { withOperations } from '../../../shared/ops/step.js';
import { fakeWorld, useWorld } from '../api/helpers.js';

const OPS_ENV = ['POWERTOOLS_DEV', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED'] as const;

/** Everything written to the console while a test runs, each call as its text. */
let printed: string[];
const saved: Record<string, string | undefined> = {};

function captureConsole() {
  printed = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
}

function operationsOn() {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
}

beforeEach(() => {
  for (const key of OPS_ENV) saved[key] = process.env[key];
  for (const key of OPS_ENV) delete process.env[key];
  captureConsole();
});
afterEach(() => {
  for (const key of OPS_ENV)
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  vi.restoreAllMocks();
});

// biome-ignore lint/suspicious/noExplicitAny: log lines and EMF documents are read as plain JSON
const lines = (): any[] => printed.map((text) => JSON.parse(text));
const logLines = () => lines().filter((l) => l.service === 'medcomm-pay' && l.message !== undefined);
const emf = () => lines().filter((l) => l._aws !== undefined);
const metricsOf = (doc: { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } }) =>
  doc._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);

// A person's data as it might travel near a step (it never should be in the event, but if it were…).
const PERSON = { name: '张三丰', idNumber: '360731198801012345', bankAccount: '6222021234567891234' };
const cycle = { communityId: 'xingguo', kind: 'monthly', period: '2026-03', revision: 2, datasetVersion: 4 };

describe('the settings', () => {
  it('are off locally unless asked for, on in a Lambda, and tracing follows the partition', () => {
    expect(operationsSettings({})).toMatchObject({ logLevel: 'SILENT', metrics: false, tracing: false });
    expect(operationsSettings({ AWS_LAMBDA_FUNCTION_NAME: 'f' })).toMatchObject({
      logLevel: 'INFO',
      metrics: true,
      tracing: true,
      namespace: 'MedCommPay',
      serviceName: 'medcomm-pay',
    });
    expect(
      operationsSettings({ AWS_LAMBDA_FUNCTION_NAME: 'f', POWERTOOLS_TRACE_ENABLED: 'false' }).tracing,
    ).toBe(false);
    expect(
      operationsSettings({ POWERTOOLS_LOG_LEVEL: 'debug', POWERTOOLS_METRICS_DISABLED: 'false' }),
    ).toMatchObject({ logLevel: 'DEBUG', metrics: true, tracing: false });
  });
});

describe('a wrapped workflow step', () => {
  it('prints nothing locally by default and hands back the handler’s result', async () => {
    const step = withOperations('ComputeMonthlyPay', async () => ({ institutionId: 'H01' }));
    expect(await step({ cycle, institutionId: 'H01' })).toEqual({ institutionId: 'H01' });
    expect(printed).toEqual([]);
  });

  it('logs its start and end with the cycle, its institutions and a request id on every line, and no person', async () => {
    operationsOn();
    const step = withOperations('ComputeMonthlyPay', async (event) => {
      expect(currentScope()).toBeDefined();
      return { ...(event as object), paid: 123456 };
    });
    const event = { cycle, institutionIds: ['H01', 'H02'], staff: [{ ...PERSON, gross: 987654 }] };
    await step(event);
    const logs = logLines();
    expect(logs.map((l) => l.message)).toEqual(['step started', 'step finished']);
    for (const line of logs)
      expect(line).toMatchObject({
        service: 'medcomm-pay',
        step: 'ComputeMonthlyPay',
        community: 'xingguo',
        cycleKind: 'monthly',
        period: '2026-03',
        revision: 2,
        institutions: ['H01', 'H02'],
        requestId: expect.stringMatching(/^local-/),
      });
    expect(new Set(logs.map((l) => l.requestId)).size).toBe(1);
    expect(logs[1]).toMatchObject({ institutionsProcessed: 2, throttlesRetried: 0 });
    const all = printed.join('\n');
    for (const value of [PERSON.name, PERSON.idNumber, PERSON.bankAccount, '987654', '123456'])
      expect(all).not.toContain(value);
  });

  it("logs a Map iteration's batch reference, and at its end the institutions its handler read", async () => {
    operationsOn();
    const step = withOperations('ScoreQuarter', async () => {
      noteInstitutions(['H03', 'H04']);
      return {};
    });
    await step({ cycle, batch: { list: 'all', index: 3 } });
    const logs = logLines();
    for (const line of logs) expect(line).toMatchObject({ step: 'ScoreQuarter', batch: 'all#3' });
    expect(logs[0]).not.toHaveProperty('institutions');
    expect(logs[1]).toMatchObject({ institutions: ['H03', 'H04'], institutionsProcessed: 2 });
  });

  it('publishes its duration, institutions processed and throttles retried in the namespace, by step', async () => {
    operationsOn();
    await withOperations('ScoreQuarter', async () => ({}))({ cycle, institutionId: 'H07' });
    const doc = emf().find((d) => metricsOf(d).includes('StepDuration'))!;
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'MedCommPay',
      Dimensions: [expect.arrayContaining(['service', 'step'])],
    });
    expect(doc).toMatchObject({
      step: 'ScoreQuarter',
      service: 'medcomm-pay',
      InstitutionsProcessed: 1,
      ThrottlesRetried: 0,
      StepFailures: 0,
    });
    expect(doc.StepDuration).toBeGreaterThanOrEqual(0);
  });

  it('rethrows the very error (Step Functions matches its name) and logs its name, never its message', async () => {
    operationsOn();
    class ReviewStateError extends Error {
      override readonly name = 'ReviewStateError' as const;
    }
    const thrown = new ReviewStateError(`${PERSON.name} ${PERSON.bankAccount} 的账户已变更`);
    const step = withOperations('PrepareCycle', async () => {
      throw thrown;
    });
    await expect(step({ cycle })).rejects.toBe(thrown);
    const failed = logLines().find((l) => l.message === 'step failed')!;
    expect(failed).toMatchObject({
      level: 'ERROR',
      step: 'PrepareCycle',
      period: '2026-03',
      error: { name: 'ReviewStateError', messageSha256: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(failed.error.at.length).toBeGreaterThan(0);
    expect(printed.join('\n')).not.toContain(PERSON.bankAccount);
    expect(printed.join('\n')).not.toContain(PERSON.name);
    expect(emf().find((d) => metricsOf(d).includes('StepFailures'))).toMatchObject({ StepFailures: 1 });
  });

  it('keeps each invocation’s keys when steps run side by side in one process (the local Map)', async () => {
    operationsOn();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const step = withOperations('AllocatePool', async (event) => {
      if ((event as { institutionId: string }).institutionId === 'H01') await gate;
      return {};
    });
    const first = step({ cycle, institutionId: 'H01' });
    await step({ cycle, institutionId: 'H02' });
    release();
    await first;
    const logs = logLines();
    expect(logs).toHaveLength(4);
    for (const id of ['H01', 'H02']) {
      const own = logs.filter((l) => l.institution === id);
      expect(own.map((l) => l.message)).toEqual(['step started', 'step finished']);
      expect(new Set(own.map((l) => l.requestId)).size).toBe(1);
    }
    expect(logs.find((l) => l.institution === 'H01').requestId).not.toBe(
      logs.find((l) => l.institution === 'H02').requestId,
    );
  });
});

/** A DynamoDB client whose "service" answers from a script, retrying at once (no real back-off). */
function scriptedDynamo(answers: { status: number; body: object; type?: string }[]) {
  let attempt = 0;
  return instrumentAwsClient(
    new DynamoDBClient({
      region: 'local',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 5,
      retryStrategy: {
        acquireInitialRetryToken: async () => ({ getRetryCount: () => 0, getRetryDelay: () => 0 }),
        refreshRetryTokenForRetry: async (token: { getRetryCount(): number }, error: unknown) => {
          if (token.getRetryCount() >= 4) throw error;
          const count = token.getRetryCount() + 1;
          return { getRetryCount: () => count, getRetryDelay: () => 0 };
        },
        recordSuccess: () => {},
      },
      requestHandler: {
        handle: async () => {
          const answer = answers[Math.min(attempt++, answers.length - 1)]!;
          return {
            response: {
              statusCode: answer.status,
              reason: '',
              headers: {
                'content-type': 'application/x-amz-json-1.0',
                ...(answer.type ? { 'x-amzn-errortype': answer.type } : {}),
              },
              body: Readable.from([Buffer.from(JSON.stringify(answer.body))]),
            },
          };
        },
        updateHttpClientConfig: () => {},
        httpHandlerConfigs: () => ({}),
      } as never,
    }),
  );
}

const THROTTLED = {
  status: 400,
  type: 'ProvisionedThroughputExceededException',
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'throttled',
  },
};

describe('throttles retried', () => {
  it('counts each throttled attempt the SDK retries, in the invocation that made it', async () => {
    const client = scriptedDynamo([THROTTLED, THROTTLED, { status: 200, body: {} }]);
    const scope = newScope();
    await runInScope(scope, () =>
      client.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' }, sk: { S: 'b' } } })),
    );
    expect(scope.throttlesRetried).toBe(2);
  });

  it('counts a batch that hands back unprocessed items (the store writes them again)', async () => {
    const left = { t: [{ PutRequest: { Item: { pk: { S: 'a' }, sk: { S: 'b' } } } }] };
    const client = scriptedDynamo([{ status: 200, body: { UnprocessedItems: left } }]);
    const scope = newScope();
    await runInScope(scope, () => client.send(new BatchWriteItemCommand({ RequestItems: left })));
    expect(scope.throttlesRetried).toBe(1);
  });

  it('reports them in the step’s metrics and end line', async () => {
    operationsOn();
    const client = scriptedDynamo([THROTTLED, { status: 200, body: {} }]);
    await withOperations('CompleteCycle', async () =>
      client.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' }, sk: { S: 'b' } } })),
    )({ cycle });
    expect(logLines().find((l) => l.message === 'step finished')).toMatchObject({ throttlesRetried: 1 });
    expect(emf().find((d) => metricsOf(d).includes('ThrottlesRetried'))).toMatchObject({
      ThrottlesRetried: 1,
    });
  });
});

describe('an API request', () => {
  beforeEach(() => {
    useWorld(fakeWorld());
  });
  const event = (requestId: string, claims?: Record<string, string>) =>
    ({
      version: '2.0',
      routeKey: 'GET /api/me',
      rawPath: '/api/me',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        requestId,
        routeKey: 'GET /api/me',
        http: { method: 'GET', path: '/api/me' },
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
    }) as unknown as ApiEvent;

  it('logs API Gateway’s request id, the route group and the route on its lines, with its status', async () => {
    operationsOn();
    const claims = asGatewayClaims({ username: 'office1', 'cognito:groups': ['xingguo:office'] });
    const answer = await me(event('req-ops-1', claims), {} as never);
    expect(answer.statusCode).toBe(200);
    const logs = logLines();
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const line of logs)
      expect(line).toMatchObject({ requestId: 'req-ops-1', api: 'me', route: 'GET /api/me' });
    expect(logs.at(-1)).toMatchObject({ message: 'request finished', status: answer.statusCode });
    expect(printed.join('\n')).not.toContain('office1');
    const doc = emf().find((d) => metricsOf(d).includes('RequestDuration'))!;
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('MedCommPay');
    expect(doc).toMatchObject({ api: 'me', ServerErrors: 0 });
  });

  it('logs a refused request (no identity) as answered, not as our failure', async () => {
    operationsOn();
    const answer = await me(event('req-ops-2'), {} as never);
    expect(answer.statusCode).toBe(401);
    expect(logLines().at(-1)).toMatchObject({
      level: 'INFO',
      message: 'request finished',
      status: 401,
      requestId: 'req-ops-2',
    });
  });

  it('prints nothing locally by default', async () => {
    await me(event('req-ops-3'), {} as never);
    expect(printed).toEqual([]);
  });

  it('gives each request its own scope for throttle counts, also when requests overlap', async () => {
    operationsOn();
    const seen: Record<string, InvocationScope | undefined> = {};
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const api = middy<ApiEvent, { statusCode: number }>()
      .use(apiOperations<ApiEvent, { statusCode: number }>('me'))
      .handler(async (e) => {
        const id = e.requestContext.requestId;
        if (id === 'slow') await gate;
        seen[id] = currentScope();
        seen[id]!.throttlesRetried += id === 'slow' ? 2 : 1;
        return { statusCode: 200 };
      });
    const slow = api(event('slow'), {} as never);
    await api(event('fast'), {} as never);
    release();
    await slow;
    expect(seen.slow).toBeDefined();
    expect(seen.slow).not.toBe(seen.fast);
    const finished = logLines().filter((l) => l.message === 'request finished');
    expect(Object.fromEntries(finished.map((l) => [l.requestId, l.throttlesRetried]))).toEqual({
      slow: 2,
      fast: 1,
    });
  });
});
