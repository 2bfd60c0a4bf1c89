/**
 * Operations (issue 12) on the real path: a month of the tiny dataset through the synthesized state
 * machine on the local engine and DynamoDB Local, with Powertools' logs and metrics turned on and
 * captured from the console. Every step's lines carry the cycle and a request id, the per-institution
 * steps their institutions; no line holds a name, an account or a person's amount; each step publishes
 * its metrics in the namespace. And in the AWS-limits mode the throttles an invocation met are counted
 * exactly as the model threw them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTIONS } from '../../../functions/registry.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { newScope, runInScope } from '../../../shared/ops/invocation.js';
import { createDynamoClients } from '../../../shared/store/client.js';
import { Table } from '../../../shared/store/store.js';
import { dynamoEndpoint, type FreshTable, freshTable } from '../dynamodb/helpers.js';

const tiny = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const community = 'county7';
const OPS_ENV = {
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_DISABLED: 'false',
};
const saved: Record<string, string | undefined> = {};
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `ops-${Date.now().toString(36)}`,
    workflows: { retryIntervalMs: 0 },
  });
  await importDataset(rt.repos, { dir: tiny }, 'office1');
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: captured lines are plain JSON
type Line = any;

/** Runs `fn` with operations on, returning Powertools' lines (logs and EMF) printed meanwhile. */
async function captured(fn: () => Promise<unknown>): Promise<Line[]> {
  const printed: string[] = [];
  for (const [key, value] of Object.entries(OPS_ENV)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    }),
  );
  try {
    await fn();
  } finally {
    for (const spy of spies) spy.mockRestore();
    for (const key of Object.keys(OPS_ENV))
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  }
  return printed
    .map((text) => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })
    .filter((line) => line?.service === 'medcomm-pay');
}

/** What a log line may hold: Powertools' own fields, our keys, durations and counts. Nothing else. */
const ALLOWED = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'step',
  'requestId',
  'community',
  'cycleKind',
  'period',
  'revision',
  'institution',
  'institutions',
  // A Map iteration's batch reference (list#index); its end line names the institutions too.
  'batch',
  'durationMs',
  'throttlesRetried',
  'institutionsProcessed',
  'coldStart',
  'error',
]);

describe('a month on the local engine with operations on', () => {
  let lines: Line[];
  beforeAll(async () => {
    lines = await captured(() =>
      runCycleToEnd(rt.repos, rt.workflows, {
        communityId: community,
        kind: 'monthly',
        period: '2026-01',
        by: 'office1',
        approver: 'finance1',
      }),
    );
  }, 120_000);

  const logs = () => lines.filter((l) => l.message !== undefined);
  const emf = () => lines.filter((l) => l._aws !== undefined);

  it('logs every step it ran, each line with the cycle and a request id, per institution with its ids', async () => {
    const cycle = await rt.repos.cycles.get(community, 'monthly', '2026-01');
    expect(cycle?.status).toBe('completed');
    const steps = new Set(logs().map((l) => l.step));
    for (const id of ['PrepareCycle', 'ComputeMonthlyPay', 'BuildMonthlyReport', 'CompleteCycle'])
      expect(steps, id).toContain(id);
    for (const line of logs()) {
      expect(line).toMatchObject({
        community,
        cycleKind: 'monthly',
        period: '2026-01',
        revision: cycle!.revision,
        requestId: expect.any(String),
      });
      expect(line.step in FUNCTIONS).toBe(true);
    }
    const institutions = (await rt.repos.datasets.institutions(community, cycle!.datasetVersion))
      .map((i) => i.id)
      .sort();
    const paid = logs()
      .filter((l) => l.step === 'ComputeMonthlyPay' && l.message === 'step finished')
      .flatMap((l) => l.institutions ?? [l.institution])
      .sort();
    expect(paid).toEqual(institutions);
    // One request id per invocation: its start and end line share it.
    for (const l of logs().filter((x) => x.message === 'step finished'))
      expect(
        logs()
          .filter((x) => x.requestId === l.requestId)
          .map((x) => x.message),
      ).toEqual(['step started', 'step finished']);
  });

  it('puts nothing of a person on a line: only the allowed keys, no name, account or amount', async () => {
    for (const line of logs())
      for (const key of Object.keys(line)) expect(ALLOWED.has(key), `${line.message}: ${key}`).toBe(true);
    const staff = (await readFile(join(tiny, 'staff.csv'), 'utf8')).trim().split('\n').slice(1);
    const text = JSON.stringify(lines);
    for (const row of staff) {
      const [, name, , , , , , basic, account] = row.split(',');
      for (const value of [name!, account!, basic!, String(Math.round(Number(basic) * 100))])
        expect(text).not.toContain(value);
    }
  });

  it('publishes each step’s metrics in the namespace, by step', () => {
    const docs = emf().filter((d) => d.StepDuration !== undefined);
    expect(new Set(docs.map((d) => d.step))).toEqual(new Set(logs().map((l) => l.step)));
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('MedCommPay');
      expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'step']]);
      expect(doc).toMatchObject({ StepFailures: 0, ThrottlesRetried: expect.any(Number) });
    }
    const pay = docs.filter((d) => d.step === 'ComputeMonthlyPay');
    expect(pay.reduce((n, d) => n + d.InstitutionsProcessed, 0)).toBe(
      logs()
        .filter((l) => l.step === 'ComputeMonthlyPay' && l.message === 'step finished')
        .reduce((n, l) => n + l.institutionsProcessed, 0),
    );
  });
});

describe('throttles in the AWS-limits mode', () => {
  let fresh: FreshTable;
  beforeAll(async () => {
    fresh = await freshTable('ops-limits');
  });
  afterAll(() => fresh?.client.destroy());

  it('counts, in the invocation that met them, exactly the throttles the model threw', async () => {
    const { doc, awsLimits, client } = createDynamoClients({
      endpoint: fresh.endpoint,
      awsLimits: { writeUnitsPerSecond: 4 },
    });
    const table = new Table(doc, fresh.table);
    const item = (pk: string, i: number) => ({ pk, sk: String(i), type: 'T', data: 'x'.repeat(900) });
    const scope = newScope();
    const other = newScope();
    await Promise.all([
      runInScope(scope, async () => {
        await table.batchWrite(Array.from({ length: 12 }, (_, i) => ({ put: item('HOT#1', i) })));
        for (let i = 0; i < 3; i++) await table.put(item('HOT#2', i));
        await table.transact([{ Put: { Item: item('HOT#1', 99) } }, { Put: { Item: item('HOT#3', 0) } }]);
      }),
      runInScope(other, () => table.put(item('COOL#1', 0))),
    ]);
    expect(awsLimits!.throttled).toBeGreaterThan(0);
    expect(scope.throttlesRetried + other.throttlesRetried).toBe(awsLimits!.throttled);
    expect(other.throttlesRetried).toBe(0);
    client.destroy();
  }, 60_000);
});
