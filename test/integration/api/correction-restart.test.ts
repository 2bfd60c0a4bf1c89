/**
 * A correction that stopped part-way never leaves its period stuck (issue 12), on DynamoDB Local with
 * the real recompute: a fault is injected through the ports at every point where startCorrection can
 * stop — after its dataset version, after part of the recompute's write-once results, after part of the
 * differences, before its record — and running it again with the same key finishes the same correction
 * (the same revision, totals and differences as a clean run, one record, one audit entry); after its
 * record, running it again answers that record. Another correction after a stopped one starts cleanly on
 * the next revision. A job whose runner died part-way is run again by a redelivery and finishes the
 * correction it began; an approval's job that committed before its runner died is answered as approved.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputePeriod } from '../../../functions/recompute-period.js';
import { runApiJob } from '../../../shared/api/jobs.js';
import { inlineExportSink } from '../../../shared/api/ports.js';
import {
  decideCorrection,
  type RecomputePort,
  rejectCorrection,
  startCorrection,
} from '../../../shared/app/correction-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { runCycleToEnd } from '../../../shared/app/year-runner.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import type { ApiJobKind } from '../../../shared/store/api-jobs.js';
import { JOB_STALE_MS } from '../../../shared/store/api-jobs.js';
import type { CorrectionRecord } from '../../../shared/store/corrections.js';
import type { Repositories } from '../../../shared/store/index.js';
import { keys } from '../../../shared/store/keys.js';
import { tinyAs } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const C = 'county9';
const JAN = { kind: 'monthly' as const, period: '2026-01' };
let runtime: LocalRuntime;
let repos: Repositories;

/** The tiny dataset with workload points of January moved: one person of C01 and one of C02. */
function withPoints(delta: number): Record<string, string> {
  const files = tinyAs(C);
  files['workload.csv'] = files['workload.csv']!.split('\n')
    .map((line) => {
      if (!line.startsWith('2026-01,C01-001,') && !line.startsWith('2026-01,C02-001,')) return line;
      const cells = line.split(',');
      cells[2] = String(Number(cells[2]) + delta);
      return cells.join(',');
    })
    .join('\n');
  return files;
}

class Stop extends Error {
  override readonly name = 'Stop';
}

const correct = (
  files: Record<string, string>,
  key: string | undefined,
  options: { recompute?: RecomputePort; repos?: Repositories } = {},
) =>
  startCorrection(options.repos ?? repos, options.recompute ?? recomputePeriod, {
    communityId: C,
    ...JAN,
    source: { files },
    by: 'office1',
    reason: 'test',
    ...(key ? { key } : {}),
  });

/** Repositories whose `corrections.putDifferences` stops after `after` calls, or whose audit append stops. */
function faulty(fault: { differencesAfter?: number; audit?: boolean }): Repositories {
  let calls = 0;
  const corrections = new Proxy(repos.corrections, {
    get(target, name, receiver) {
      if (name === 'putDifferences' && fault.differencesAfter !== undefined)
        return async (...args: Parameters<typeof target.putDifferences>) => {
          if (calls++ >= fault.differencesAfter!) throw new Stop('stopped in the differences');
          return target.putDifferences(...args);
        };
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const audit = new Proxy(repos.audit, {
    get(target, name, receiver) {
      if (name === 'append' && fault.audit)
        return async () => {
          throw new Stop('stopped before the record');
        };
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { ...repos, corrections, audit } as Repositories;
}

/** The recompute of the first `institutions` institutions, then a stop (a runner killed mid-recompute). */
const stopsAfter =
  (institutions: number): RecomputePort =>
  async (cycle, ids) => {
    if (institutions > 0) await recomputePeriod(cycle, ids.slice(0, institutions));
    throw new Stop('stopped in the recompute');
  };

const startEntries = async (revision: number) =>
  (await repos.audit.entries(C)).filter(
    (e) => e.action === 'correction.start' && e.subject === `monthly 2026-01 r${revision}`,
  );

const differences = async (record: CorrectionRecord) =>
  (await repos.corrections.differences({ communityId: C, ...JAN, revision: record.revision })).sort((a, b) =>
    a.institutionId < b.institutionId ? -1 : 1,
  );

const rejected = (record: CorrectionRecord) =>
  rejectCorrection(repos, { communityId: C, ...JAN, by: 'finance1', reason: 'test over' }).then((r) => {
    expect(r.revision).toBe(record.revision);
  });

/** The clean correction of withPoints(delta): its totals and differences (rejected afterwards). */
const reference = new Map<number, { totals: CorrectionRecord['totals']; diffs: unknown }>();
async function cleanRun(delta: number) {
  const record = await correct(withPoints(delta), undefined);
  reference.set(delta, { totals: record.totals, diffs: await differences(record) });
  await rejected(record);
  return record;
}

/** Runs again after a stop with the same key: the same correction, on the revision the stopped run took. */
async function expectFinished(key: string, delta: number, revision: number) {
  const record = await correct(withPoints(delta), key);
  expect(record).toMatchObject({ status: 'awaiting_review', revision, requestKey: key });
  expect(record.totals).toEqual(reference.get(delta)!.totals);
  expect(await differences(record)).toEqual(reference.get(delta)!.diffs);
  expect(await startEntries(revision)).toHaveLength(1);
  expect(await repos.corrections.get(C, JAN.kind, JAN.period, revision)).toMatchObject({
    status: 'awaiting_review',
    datasetVersion: record.datasetVersion,
  });
  // The run is over: nothing left to go on with.
  expect(
    (await repos.corrections.runs(C, JAN.kind, JAN.period)).filter((r) => r.status === 'preparing'),
  ).toEqual([]);
  return record;
}

/** The next revision a correction of January takes. */
async function nextRevision(): Promise<number> {
  const [records, runs] = await Promise.all([
    repos.corrections.list(C, 2026),
    repos.corrections.runs(C, JAN.kind, JAN.period),
  ]);
  return Math.max(1, ...records.map((r) => r.revision), ...runs.map((r) => r.revision)) + 1;
}

beforeAll(async () => {
  runtime = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `correction-restart-${randomBytes(4).toString('hex')}`,
    workflows: { retryIntervalMs: 0 },
  });
  repos = runtime.repos;
  await importDataset(repos, { files: tinyAs(C) }, 'office1');
  await runCycleToEnd(repos, runtime.workflows, {
    communityId: C,
    ...JAN,
    by: 'office1',
    approver: 'finance1',
  });
  // The clean corrections every stopped one is compared with.
  await cleanRun(100);
  await cleanRun(-50);
  expect(reference.get(100)!.totals.people).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await runtime?.close();
});

describe('a correction that stopped part-way, run again with the same key', () => {
  it.each([
    ['after its dataset version, before any result', { recompute: stopsAfter(0) }],
    ['after part of the write-once results of its revision', { recompute: stopsAfter(1) }],
    ['after part of its differences', { repos: 'differences' as const }],
    ['after its differences, before its record', { repos: 'audit' as const }],
  ])('finishes the same correction when it stopped %s', async (_, fault) => {
    const key = `job:${randomUUID()}`;
    const revision = await nextRevision();
    await expect(
      correct(withPoints(100), key, {
        ...('recompute' in fault ? { recompute: fault.recompute } : {}),
        ...('repos' in fault
          ? { repos: faulty(fault.repos === 'audit' ? { audit: true } : { differencesAfter: 1 }) }
          : {}),
      }),
    ).rejects.toThrow(Stop);
    // Nothing awaits review, the lease is free, the run waits with its revision.
    expect((await repos.corrections.list(C, 2026)).filter((c) => c.status === 'awaiting_review')).toEqual([]);
    const [run] = (await repos.corrections.runs(C, JAN.kind, JAN.period)).filter(
      (r) => r.status === 'preparing',
    );
    expect(run).toMatchObject({ revision, key });
    expect(run!.datasetVersion).toBeDefined();
    await rejected(await expectFinished(key, 100, revision));
  });

  it('after its record: running it again answers that record, recorded and audited once', async () => {
    const key = `job:${randomUUID()}`;
    const first = await correct(withPoints(100), key);
    const again = await correct(withPoints(100), key);
    expect(again).toMatchObject({ revision: first.revision, status: 'awaiting_review', version: 1 });
    expect(await startEntries(first.revision)).toHaveLength(1);
    // Another request is refused while it awaits review, as before.
    await expect(correct(withPoints(-50), `job:${randomUUID()}`)).rejects.toThrow(/awaiting review/);
    await rejected(first);
  });

  it('another correction after a stopped one starts cleanly on the next revision; the stopped one is abandoned', async () => {
    const stoppedKey = `job:${randomUUID()}`;
    const stoppedRevision = await nextRevision();
    // Stopped with half its results written (other rows than the next correction's).
    await expect(correct(withPoints(100), stoppedKey, { recompute: stopsAfter(1) })).rejects.toThrow(Stop);
    const other = await correct(withPoints(-50), `job:${randomUUID()}`);
    expect(other.revision).toBe(stoppedRevision + 1);
    expect(other.totals).toEqual(reference.get(-50)!.totals);
    expect(await differences(other)).toEqual(reference.get(-50)!.diffs);
    const runs = await repos.corrections.runs(C, JAN.kind, JAN.period);
    expect(runs.find((r) => r.revision === stoppedRevision)).toMatchObject({ status: 'abandoned' });
    // The stopped one's job, run again, is refused as any second correction is while one awaits review.
    await expect(correct(withPoints(100), stoppedKey)).rejects.toThrow(/awaiting review/);
    await rejected(other);
    // Once that is decided, the stopped request starts cleanly too, past every revision taken.
    const restarted = await correct(withPoints(100), stoppedKey);
    expect(restarted.revision).toBe(stoppedRevision + 2);
    expect(restarted.totals).toEqual(reference.get(100)!.totals);
    await rejected(restarted);
  });
});

describe("a correction's job whose runner died part-way", () => {
  const recordJob = (kind: ApiJobKind, by: string, request: Record<string, unknown>) =>
    repos.apiJobs.create({ id: randomUUID(), communityId: C, kind, request, by, requestId: 'test' });
  const deps = (now: number) => ({
    repos,
    exports: inlineExportSink(),
    recompute: recomputePeriod,
    clock: () => new Date(now),
  });
  const T0 = Date.now();
  const base64 = (files: Record<string, string>) =>
    Object.fromEntries(Object.entries(files).map(([n, t]) => [n, Buffer.from(t).toString('base64')]));

  it('is run again by a redelivery and finishes the correction it began; then its approval, committed before its runner died, is answered as approved', async () => {
    const job = await recordJob('correction', 'office1', { ...JAN, files: base64(withPoints(100)) });
    const revision = await nextRevision();
    // The first runner took it and died in the recompute (its heartbeat stopped at T0).
    expect(await repos.apiJobs.claim(C, job.id, new Date(T0), 'dead')).toBe(true);
    await expect(correct(withPoints(100), `job:${job.id}`, { recompute: stopsAfter(1) })).rejects.toThrow(
      Stop,
    );
    // Killed, not thrown: the year's import lease stays held by the dead runner (silent since T0).
    const silent = new Date(T0 - 10 * 60_000).toISOString();
    await repos.table.put({
      ...keys.importLease(C, 2026),
      type: 'ImportLease',
      communityId: C,
      year: 2026,
      holder: 'the-dead-runner',
      by: 'office1',
      pid: 1,
      machine: 'a-lambda-that-died',
      startedAt: silent,
      heartbeatAt: silent,
    });
    // A redelivery while it may be alive does nothing; once its heartbeat is stale it runs it again.
    await runApiJob(deps(T0 + 1000), { communityId: C, id: job.id });
    expect((await repos.apiJobs.get(C, job.id))!.status).toBe('running');
    await runApiJob(deps(T0 + JOB_STALE_MS + 1), { communityId: C, id: job.id });
    const done = (await repos.apiJobs.get(C, job.id))!;
    expect(done).toMatchObject({
      status: 'done',
      attempts: 2,
      result: { json: { revision, status: 'awaiting_review' } },
    });
    expect((done.result!.json as CorrectionRecord).totals).toEqual(reference.get(100)!.totals);
    // The dead runner's lease was taken over (and that recorded), then released.
    expect(await repos.leases.get(C, 2026)).toBeUndefined();
    expect((await repos.audit.entries(C)).some((e) => e.action === 'import.recover')).toBe(true);

    // Finance's approval: its first runner committed the approval (with its audit entry) and died.
    const approval = await recordJob('correction-decision', 'finance1', JAN);
    expect(await repos.apiJobs.claim(C, approval.id, new Date(T0), 'dead')).toBe(true);
    await decideCorrection(repos, { communityId: C, ...JAN, by: 'finance1', approve: true });
    await runApiJob(deps(T0 + JOB_STALE_MS + 1), { communityId: C, id: approval.id });
    const approved = (await repos.apiJobs.get(C, approval.id))!;
    expect(approved, approved.error).toMatchObject({
      status: 'done',
      attempts: 2,
      result: { json: { revision, status: 'completed', postedTo: '2026-02' } },
    });
    const approvals = (await repos.audit.entries(C)).filter(
      (e) => e.action === 'correction.approve' && e.subject === `monthly 2026-01 r${revision}`,
    );
    expect(approvals).toHaveLength(1);
  });
});
