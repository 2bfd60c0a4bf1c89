/**
 * Faults in the real workflows (synthesized state machines, real handlers, DynamoDB Local): transient
 * faults are retried to the exact clean result, a fault beyond the retries fails the cycle cleanly, a
 * failed cycle re-runs to the same pay, and a crash followed by recovery pays no one twice (DOMAIN.md §7).
 *
 * One table holds a clean community and faulty ones, all importing the tiny dataset, so every faulty
 * month is compared with the same month run cleanly — and with the golden files.
 */

import { spawnSync } from 'node:child_process';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadHandler } from '../../functions/registry.js';
import { allocations, monthlyResults } from '../../shared/app/cycle-results.js';
import {
  cycleInput,
  decideReview,
  type ExecutionPort,
  resumeInterruptedCycle,
  startCycle,
} from '../../shared/app/cycle-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import { MAP_CONCURRENCY } from '../../shared/app/institution-batches.js';
import { closeWindow } from '../../shared/app/secondary-service.js';
import { executionArn, executionName, sfnExecutionPort } from '../../shared/app/sfn-port.js';
import { FaultInjector, faultErrors } from '../../shared/local/faults.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { LocalWorkflows } from '../../shared/local/workflows.js';
import { monthlyPaysheetJson, quarterlyPaysheetJson } from '../../shared/results/contract.js';
import type { CycleRecord, RunLease } from '../../shared/store/cycles.js';
import { type CycleKind, keys } from '../../shared/store/keys.js';
import { LEASE_STALE_MS, thisMachine } from '../../shared/store/leases.js';
import { APPROVED_CHOICE, REVIEW_STATE } from '../../workflows/common.js';
import { inManualMode, TWO_INSTITUTIONS_DEPARTMENTS } from '../integration/workflows/dataset-files.js';
import {
  cycleOf,
  expectedJson,
  importAs,
  openTestRuntime,
  recordWrites,
  type StoredWrite,
  storedResults,
  tinyAs,
  totalPaid,
} from './helpers.js';

const CLEAN = 'clean';
const faults = new FaultInjector();
let rt: LocalRuntime;
let writes: StoredWrite[];

async function run(
  communityId: string,
  kind: CycleKind,
  period: string,
  workflows = rt.workflows,
): Promise<CycleRecord> {
  await startCycle(rt.repos, workflows, { communityId, kind, period, by: 'office1' });
  await faults.idle();
  return cycleOf(rt.repos, communityId, kind, period);
}

async function runAndApprove(communityId: string, period: string): Promise<CycleRecord> {
  const kind = period.includes('Q') ? 'quarterly' : 'annual';
  await run(communityId, kind, period);
  await decideReview(rt.repos, rt.workflows, { communityId, kind, period, by: 'finance1', approve: true });
  return cycleOf(rt.repos, communityId, kind, period);
}

/** The faulty community's month against the clean one: same stored results, same total, the golden sheet. */
async function expectSameAsClean(cycle: CycleRecord): Promise<void> {
  expect(cycle.status).toBe('completed');
  const clean = await cycleOf(rt.repos, CLEAN, cycle.kind, cycle.period);
  expect(await storedResults(rt.repos, cycle)).toEqual(await storedResults(rt.repos, clean));
  expect(await totalPaid(rt.repos, cycle)).toBe(await totalPaid(rt.repos, clean));
  if (cycle.kind === 'monthly') {
    expect(monthlyPaysheetJson(cycle.period, await monthlyResults(rt.repos, cycle))).toEqual(
      expectedJson(`monthly/${cycle.period}/paysheet.json`),
    );
  } else if (cycle.kind === 'quarterly') {
    expect(quarterlyPaysheetJson(await allocations(rt.repos, cycle))).toEqual(
      expectedJson(`quarterly/${cycle.period}/paysheet.json`),
    );
  }
}

/** Successful puts of pay pages and allocations of one cycle revision, by key. */
function payWrites(cycle: CycleRecord): Map<string, number> {
  const partition = `RESULT#${cycle.communityId}#${cycle.kind}#${cycle.period}#r${String(cycle.revision).padStart(3, '0')}`;
  const counts = new Map<string, number>();
  // The revision's own partition, or one of its shards (results layout 2).
  const ofRevision = (pk: string) => pk === partition || pk.startsWith(`${partition}#`);
  for (const w of writes.filter((w) => ofRevision(w.pk) && /^(PAY|ALLOC|INST)#/.test(w.sk))) {
    counts.set(w.sk, (counts.get(w.sk) ?? 0) + 1);
  }
  return counts;
}

/**
 * The local workflows with their first start held at a gate: `started` resolves once a start (or resume)
 * has claimed the cycle's run and reached the port, and its run begins only when `open()` is called — so a
 * test can act while that run is live, in a fixed order. Later starts pass straight through.
 */
function gatedPort() {
  let reached!: () => void;
  let open!: () => void;
  const started = new Promise<void>((r) => {
    reached = r;
  });
  const gate = new Promise<void>((r) => {
    open = r;
  });
  let first = true;
  const port: ExecutionPort = {
    async start(kind, input) {
      if (first) {
        first = false;
        reached();
        await gate;
      }
      await rt.workflows.start(kind, input);
    },
    resume: (cycle, decision) => rt.workflows.resume(cycle, decision),
  };
  return { port, started, open };
}

/** A cycle whose process died right after starting it: the record says running, nothing ran. */
async function interrupted(communityId: string, period: string): Promise<CycleRecord> {
  const dataset = await rt.repos.datasets.current(communityId, 2026);
  const { cycle } = await rt.repos.cycles.start({
    communityId,
    kind: 'monthly',
    period,
    by: 'office1',
    datasetVersion: dataset!.version,
  });
  return cycle;
}

/** Writes the run lease a holder left on a cycle (as a process that died or runs elsewhere would). */
async function leaveRunLease(cycle: CycleRecord, holder: Partial<RunLease>): Promise<void> {
  const now = new Date().toISOString();
  const lease: RunLease = {
    communityId: cycle.communityId,
    kind: cycle.kind,
    period: cycle.period,
    revision: cycle.revision,
    attempt: 1,
    holder: 'someone',
    by: 'office1',
    pid: 1,
    machine: 'elsewhere|boot',
    startedAt: now,
    heartbeatAt: now,
    ...holder,
  };
  await rt.repos.table.put({
    ...keys.cycleRun(cycle.communityId, cycle.kind, cycle.period),
    type: 'CycleRun',
    ...lease,
  });
}

const lockOf = async (communityId: string, period: string) =>
  (await rt.repos.cycles.locks(communityId)).find((l) => l.period === period);

beforeAll(async () => {
  rt = await openTestRuntime({ wrapHandler: faults.wrapHandler });
  faults.attachStore(rt.repos.table.doc);
  writes = recordWrites(rt.repos);
  await importAs(rt.repos, CLEAN);
  for (const month of ['2026-01', '2026-02', '2026-03'])
    expect((await run(CLEAN, 'monthly', month)).status).toBe('completed');
  expect((await runAndApprove(CLEAN, '2026-Q1')).status).toBe('completed');
}, 120_000);

afterAll(async () => {
  await faults.idle();
  await rt?.close();
});

beforeEach(() => {
  faults.reset();
});

describe('transient faults', () => {
  it('retries a Lambda throttle and a DynamoDB throttle and pays exactly what a clean run pays', async () => {
    await importAs(rt.repos, 'transient');
    faults
      .failHandler({ functionId: 'ComputeMonthlyPay', on: [1, 2], error: faultErrors.lambdaTooManyRequests })
      .failHandler({ functionId: 'BuildMonthlyReport', on: 1, error: faultErrors.dynamoThrottled })
      // Throttling inside a handler, past the SDK's own retries: the third DynamoDB call of the step.
      .failStore({ functionId: 'ComputeMonthlyPay', on: 3, error: faultErrors.dynamoThrottled });
    const cycle = await run('transient', 'monthly', '2026-01');

    const failed = faults.log.filter((c) => c.outcome !== 'ok').map((c) => `${c.functionId}:${c.error}`);
    expect(failed).toEqual([
      'ComputeMonthlyPay:Lambda.TooManyRequestsException',
      'ComputeMonthlyPay:Lambda.TooManyRequestsException',
      'ComputeMonthlyPay:ProvisionedThroughputExceededException',
      'BuildMonthlyReport:ProvisionedThroughputExceededException',
    ]);
    expect(cycle.revision).toBe(1);
    expect(cycle.error).toBeUndefined();
    await expectSameAsClean(cycle);
  });

  it('retries a step whose response was lost after it stored its work, without writing any pay twice', async () => {
    await importAs(rt.repos, 'lost-response');
    faults
      .failHandler({
        functionId: 'ComputeMonthlyPay',
        on: [1, 2, 3, 4],
        error: faultErrors.lambdaService,
        timing: 'after',
      })
      .failHandler({
        functionId: 'BuildMonthlyReport',
        on: 1,
        error: faultErrors.lambdaService,
        timing: 'after',
      });
    const cycle = await run('lost-response', 'monthly', '2026-01');

    // Every institution's step ran twice; each of its items was stored by the first run only.
    expect(faults.calls('ComputeMonthlyPay')).toBe(8);
    expect([...payWrites(cycle).values()]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    await expectSameAsClean(cycle);
  });
});

describe('a fault beyond the retries', () => {
  it('ends the cycle failed with the error recorded, no lock and nothing completed; a rerun is revision 2 with the same pay', async () => {
    await importAs(rt.repos, 'exhausted');
    faults.failHandler({
      functionId: 'ComputeMonthlyPay',
      on: 'every',
      error: faultErrors.lambdaTooManyRequests,
    });
    const failed = await run('exhausted', 'monthly', '2026-01');

    expect(failed.status).toBe('failed');
    expect(failed.error?.name).toBe('Lambda.TooManyRequestsException');
    expect(failed.error?.message).toContain('Rate Exceeded');
    // RETRY_LAMBDA_TRANSIENT: the first attempt and 6 retries, then the catch.
    expect(faults.calls('ComputeMonthlyPay')).toBeGreaterThanOrEqual(7);
    expect(faults.calls('CompleteCycle')).toBe(0);
    expect(await lockOf('exhausted', '2026-01')).toBeUndefined();
    const audit = await rt.repos.audit.entries('exhausted');
    expect(audit.map((e) => e.action)).not.toContain('cycle.complete');

    faults.reset();
    const rerun = await run('exhausted', 'monthly', '2026-01');
    expect(rerun.revision).toBe(2);
    expect((await lockOf('exhausted', '2026-01'))?.revision).toBe(2);
    await expectSameAsClean(rerun);
  });

  it('does not retry a plain bug: one call, then the cycle fails', async () => {
    await importAs(rt.repos, 'bug');
    faults.failHandler({
      functionId: 'BuildMonthlyReport',
      on: 'every',
      error: () => faultErrors.generic('undefined is not a function'),
    });
    const failed = await run('bug', 'monthly', '2026-01');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ name: 'Error' });
    expect(failed.error?.message).toContain('undefined is not a function');
    expect(faults.calls('BuildMonthlyReport')).toBe(1);
    expect(await lockOf('bug', '2026-01')).toBeUndefined();
  });

  // A Lambda's Cause is the runtime's JSON report with a stack trace: RecordFailure keeps the step's own
  // (bilingual) message for `medcomm status` and the API.
  it('records the failing step’s own message, not the Lambda error JSON with its stack trace', async () => {
    await importAs(rt.repos, 'user-error');
    const message =
      'insurance.csv 缺少本年度医保基金实际支出（actual），无法结算 / insurance.csv has no actual spending for the year';
    faults.failHandler({
      functionId: 'BuildMonthlyReport',
      on: 'every',
      error: () => Object.assign(new Error(message), { name: 'PrerequisiteError' }),
    });
    const failed = await run('user-error', 'monthly', '2026-01');
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ name: 'PrerequisiteError', message });
  });

  // The lock and the completion are one transaction (CycleRepository.complete): a failure there leaves
  // neither, so the month stays open for the next revision.
  it('leaves no lock behind when the step fails between locking the month and completing the cycle', async () => {
    await importAs(rt.repos, 'half-locked');
    faults.failStore({
      functionId: 'CompleteCycle',
      match: (input) => 'TransactItems' in input,
      on: 'every',
      error: () => faultErrors.generic('connection reset'),
    });
    const failed = await run('half-locked', 'monthly', '2026-01');
    expect(failed.status).toBe('failed');
    expect(await lockOf('half-locked', '2026-01')).toBeUndefined();
    faults.reset();
    await expectSameAsClean(await run('half-locked', 'monthly', '2026-01'));
  });
});

describe('a crash mid-cycle', () => {
  it('leaves the cycle running; the same revision run again by a new process completes it and writes each pay page once', async () => {
    await importAs(rt.repos, 'crash');
    // The process dies right after the fifth write is stored: each of the four institutions' batches
    // writes its guard, then its items (results.putBatch), so at least one batch's items are stored.
    // Writes already in flight at the crash still land, so the other batches' items may be there or
    // not (a retry that finds its guard and only some items is tested exactly in results-batch.test.ts).
    faults.crash({ afterStoreWrites: 5 });
    const crashed = await run('crash', 'monthly', '2026-01');
    expect(faults.crashed).toBe(true);
    expect(crashed.status).toBe('running');
    expect(await lockOf('crash', '2026-01')).toBeUndefined();
    const partial = payWrites(crashed);
    expect(partial.size).toBeGreaterThan(0);
    expect([...partial.values()].every((n) => n === 1)).toBe(true);
    // A plain start does not recompute it (it may still be running somewhere).
    expect(
      (
        await startCycle(rt.repos, rt.workflows, {
          communityId: 'crash',
          kind: 'monthly',
          period: '2026-01',
          by: 'office1',
        })
      ).created,
    ).toBe(false);

    // The engine level of recovery: a new process runs the same revision from the start.
    faults.reset();
    const recovered = await LocalWorkflows.create({
      retryIntervalMs: 0,
      wrapHandler: faults.wrapHandler,
      batchSpread: MAP_CONCURRENCY,
    });
    await recovered.start('monthly', cycleInput(crashed));
    await faults.idle();
    const done = await cycleOf(rt.repos, 'crash', 'monthly', '2026-01');
    expect(done.revision).toBe(1);
    expect([...payWrites(done).values()].every((n) => n === 1)).toBe(true);
    expect(payWrites(done).size).toBe(8);
    expect((await lockOf('crash', '2026-01'))?.revision).toBe(1);
    await expectSameAsClean(done);
  });

  it('medcomm run --resume (resumeInterruptedCycle) after a crash in the middle of a step gives the clean result', async () => {
    await importAs(rt.repos, 'crash-resume');
    // Dies inside a handler, between two of its DynamoDB calls.
    faults.crash({ afterStoreCalls: 9 });
    const crashed = await run('crash-resume', 'monthly', '2026-02');
    expect(crashed.status).toBe('running');
    faults.reset();
    const nextProcess = await LocalWorkflows.create({
      retryIntervalMs: 0,
      wrapHandler: faults.wrapHandler,
      batchSpread: MAP_CONCURRENCY,
    });
    await resumeInterruptedCycle(rt.repos, nextProcess, {
      communityId: 'crash-resume',
      kind: 'monthly',
      period: '2026-02',
      by: 'office2',
    });
    await faults.idle();
    const done = await cycleOf(rt.repos, 'crash-resume', 'monthly', '2026-02');
    expect(done.revision).toBe(1);
    expect([...payWrites(done).values()].every((n) => n === 1)).toBe(true);
    await expectSameAsClean(done);
    const audit = (await rt.repos.audit.entries('crash-resume')).map((e) => `${e.action} ${e.actor}`);
    expect(audit).toContain('cycle.resume office2');
  });

  it('after a finance approval, resuming allocates the quarter once and exactly, without asking finance again', async () => {
    await importAs(rt.repos, 'crash-q');
    for (const month of ['2026-01', '2026-02', '2026-03'])
      expect((await run('crash-q', 'monthly', month)).status).toBe('completed');
    expect((await run('crash-q', 'quarterly', '2026-Q1')).status).toBe('awaiting_review');

    faults.crash({ afterStoreWrites: 3 });
    await decideReview(rt.repos, rt.workflows, {
      communityId: 'crash-q',
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'finance1',
      approve: true,
    });
    await faults.idle();
    const crashed = await cycleOf(rt.repos, 'crash-q', 'quarterly', '2026-Q1');
    expect(crashed.status).toBe('running');
    expect(crashed.decision?.approved).toBe(true);

    faults.reset();
    const nextProcess = await LocalWorkflows.create({
      retryIntervalMs: 0,
      wrapHandler: faults.wrapHandler,
      batchSpread: MAP_CONCURRENCY,
    });
    await resumeInterruptedCycle(rt.repos, nextProcess, {
      communityId: 'crash-q',
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'office1',
    });
    await faults.idle();
    const done = await cycleOf(rt.repos, 'crash-q', 'quarterly', '2026-Q1');
    expect(done.decision).toEqual(crashed.decision);
    expect(faults.calls('RequestReview')).toBe(0);
    expect([...payWrites(done).values()].every((n) => n === 1)).toBe(true);
    await expectSameAsClean(done);
  });

  // A resume claims the cycle's run lease and a new attempt in one transaction conditional on the cycle's
  // version and on no other lease: of two at once, one runs.
  it('two resumes of the same interrupted cycle at once run it once', async () => {
    await importAs(rt.repos, 'double-resume');
    faults.crash({ afterHandlerCalls: 2 });
    expect((await run('double-resume', 'monthly', '2026-01')).status).toBe('running');
    faults.reset();
    const request = {
      communityId: 'double-resume',
      kind: 'monthly' as const,
      period: '2026-01',
      by: 'office1',
    };
    await Promise.allSettled([
      resumeInterruptedCycle(rt.repos, rt.workflows, request),
      resumeInterruptedCycle(rt.repos, rt.workflows, request),
    ]);
    await faults.idle();
    expect((await cycleOf(rt.repos, 'double-resume', 'monthly', '2026-01')).status).toBe('completed');
    expect(faults.calls('PrepareCycle')).toBe(1);
  });

  // The race the version alone let through: a second resume that reads the cycle after the first one's
  // claim sees the new version and would claim again. The first one's run lease stands while its run lives.
  it('a resume while another resume’s run is live is refused as already being resumed; the cycle runs once', async () => {
    await importAs(rt.repos, 'resume-live');
    faults.crash({ afterHandlerCalls: 2 });
    expect((await run('resume-live', 'monthly', '2026-01')).status).toBe('running');
    faults.reset();
    const request = {
      communityId: 'resume-live',
      kind: 'monthly' as const,
      period: '2026-01',
      by: 'office1',
    };
    const { port, started, open } = gatedPort();
    const first = resumeInterruptedCycle(rt.repos, port, request);
    await started;
    // The first resume has claimed attempt 2 and holds the lease; its run has not begun.
    const claimed = await cycleOf(rt.repos, 'resume-live', 'monthly', '2026-01');
    expect(claimed).toMatchObject({ status: 'running', attempt: 1, resumedBy: 'office1' });
    expect(await rt.repos.cycles.runLease('resume-live', 'monthly', '2026-01')).toMatchObject({
      attempt: 2,
      by: 'office1',
      pid: process.pid,
      machine: thisMachine,
    });
    await expect(resumeInterruptedCycle(rt.repos, port, { ...request, by: 'office2' })).rejects.toThrow(
      /已在续跑中.*already being resumed \(attempt 2 by office1/s,
    );
    open();
    await first;
    await faults.idle();
    expect((await cycleOf(rt.repos, 'resume-live', 'monthly', '2026-01')).status).toBe('completed');
    expect(faults.calls('PrepareCycle')).toBe(1);
    const resumes = (await rt.repos.audit.entries('resume-live')).filter((e) => e.action === 'cycle.resume');
    expect(resumes.map((e) => e.actor)).toEqual(['office1']);
    // Released when the run ended.
    expect(await rt.repos.cycles.runLease('resume-live', 'monthly', '2026-01')).toBeUndefined();
  });

  it('a resume while the original start’s run is live is refused; the cycle runs once to the clean result', async () => {
    await importAs(rt.repos, 'start-live');
    const { port, started, open } = gatedPort();
    const request = { communityId: 'start-live', kind: 'monthly' as const, period: '2026-01' };
    const starting = startCycle(rt.repos, port, { ...request, by: 'office1' });
    await started;
    await expect(
      resumeInterruptedCycle(rt.repos, rt.workflows, { ...request, by: 'office2' }),
    ).rejects.toThrow(/仍在运行中.*is still being run \(started by office1/s);
    open();
    await starting;
    await faults.idle();
    const done = await cycleOf(rt.repos, 'start-live', 'monthly', '2026-01');
    expect(done.attempt).toBeUndefined();
    expect(faults.calls('PrepareCycle')).toBe(1);
    await expectSameAsClean(done);
  });

  it('a run lease whose holder died lets a resume through: a gone process of this machine at once, one elsewhere once its heartbeat is stale', async () => {
    const c = 'dead-holder';
    await importAs(rt.repos, c);
    const request = { communityId: c, kind: 'monthly' as const, by: 'office2' };

    // A process of this machine that is gone.
    const january = await interrupted(c, '2026-01');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await leaveRunLease(january, { holder: 'gone-process', machine: thisMachine, pid: gone });
    await resumeInterruptedCycle(rt.repos, rt.workflows, { ...request, period: '2026-01' });
    await faults.idle();
    await expectSameAsClean(await cycleOf(rt.repos, c, 'monthly', '2026-01'));

    // Elsewhere: refused while its heartbeat is fresh (it may still be running)…
    const february = await interrupted(c, '2026-02');
    await leaveRunLease(february, { holder: 'elsewhere-live' });
    await expect(
      resumeInterruptedCycle(rt.repos, rt.workflows, { ...request, period: '2026-02' }),
    ).rejects.toThrow(/is still being run/);
    expect((await cycleOf(rt.repos, c, 'monthly', '2026-02')).attempt).toBeUndefined();
    // …and let through once it has been silent for longer than LEASE_STALE_MS.
    const silent = new Date(Date.now() - LEASE_STALE_MS - 1_000).toISOString();
    await leaveRunLease(february, { holder: 'elsewhere-dead', heartbeatAt: silent });
    await resumeInterruptedCycle(rt.repos, rt.workflows, { ...request, period: '2026-02' });
    await faults.idle();
    await expectSameAsClean(await cycleOf(rt.repos, c, 'monthly', '2026-02'));
    expect(faults.calls('PrepareCycle')).toBe(2);

    // Each takeover is recorded with the resume, naming the lease it replaced and why.
    const replaced = (await rt.repos.audit.entries(c))
      .filter((e) => e.action === 'cycle.resume')
      .map((e) => String(e.details?.replaced));
    expect(replaced).toEqual([
      `gone-process (process ${gone} is gone)`,
      expect.stringMatching(/^elsewhere-dead \(no heartbeat for 6\d s\)$/),
    ]);
  });

  it('a month waiting for its department heads (§9.1) is not resumed: closing the window goes on, once', async () => {
    const c = 'heads-wait';
    await importDataset(
      rt.repos,
      { files: inManualMode(tinyAs(c), TWO_INSTITUTIONS_DEPARTMENTS) },
      'office1',
    );
    expect((await run(c, 'monthly', '2026-01')).status).toBe('running');
    await expect(
      resumeInterruptedCycle(rt.repos, rt.workflows, {
        communityId: c,
        kind: 'monthly',
        period: '2026-01',
        by: 'office2',
      }),
    ).rejects.toThrow(/没有中断.*is not interrupted: it waits for the department heads/s);
    await closeWindow(
      rt.repos,
      rt.workflows,
      { communityId: c, period: '2026-01' },
      { by: 'office1', role: 'office' },
    );
    await faults.idle();
    const done = await cycleOf(rt.repos, c, 'monthly', '2026-01');
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.attempt).toBeUndefined();
    expect(faults.calls('PrepareCycle')).toBe(1);
  });

  // On Step Functions the resumer only starts an execution and returns: the attempt's execution, named
  // uniquely per attempt, is the run's liveness.
  it('on Step Functions, a resume is refused while the current attempt’s execution runs and allowed once it has ended', async () => {
    const c = 'aws-live';
    await importAs(rt.repos, c);
    const cycle = await interrupted(c, '2026-01');
    const client = new SFNClient({ region: 'cn-north-1' });
    const sfn = mockClient(client);
    const arns = { monthly: 'arn:monthly', quarterly: 'arn:quarterly', annual: 'arn:annual' };
    const arnOf = (attempt: number) => executionArn(arns.monthly, executionName(cycle, attempt));
    const status: Record<string, string> = { [arnOf(1)]: 'RUNNING' };
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const s = status[input.executionArn];
      if (!s) throw new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} });
      return { executionArn: input.executionArn, status: s };
    });
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => {
      const arn = executionArn(input.stateMachineArn, input.name);
      status[arn] = 'RUNNING';
      return { executionArn: arn, startDate: new Date() };
    });
    const port = sfnExecutionPort(arns, client);
    const resume = (by: string) =>
      resumeInterruptedCycle(rt.repos, port, { communityId: c, kind: 'monthly', period: '2026-01', by });
    const started = () => sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);

    // The original execution still runs (a slow step, not a crash): nothing is claimed or started.
    await expect(resume('office1')).rejects.toThrow(
      /attempt 1 \(a Step Functions execution\) is still running/,
    );
    expect((await cycleOf(rt.repos, c, 'monthly', '2026-01')).attempt).toBeUndefined();
    expect(started()).toEqual([]);

    // It was aborted: the resume starts attempt 2 and releases its lease once the execution is started.
    status[arnOf(1)] = 'ABORTED';
    await resume('office1');
    expect(started()).toEqual([executionName(cycle, 2)]);
    expect(await rt.repos.cycles.runLease(c, 'monthly', '2026-01')).toBeUndefined();

    // A second resume reads the new attempt and finds its execution running.
    await expect(resume('office2')).rejects.toThrow(
      /attempt 2 \(a Step Functions execution\) is still running/,
    );
    status[arnOf(2)] = 'FAILED';
    await resume('office2');
    expect(started()).toEqual([executionName(cycle, 2), executionName(cycle, 3)]);
    expect(await cycleOf(rt.repos, c, 'monthly', '2026-01')).toMatchObject({
      attempt: 2,
      resumedBy: 'office2',
    });
  });

  // On Step Functions a resume starts a new execution of the same revision, named with its attempt.
  it('on Step Functions, resuming an interrupted cycle starts a new execution of the same revision', async () => {
    await importAs(rt.repos, 'crash-aws');
    faults.crash({ afterHandlerCalls: 2 });
    const crashed = await run('crash-aws', 'monthly', '2026-01');
    expect(crashed.status).toBe('running');
    faults.reset();
    const client = new SFNClient({ region: 'cn-north-1' });
    const sfn = mockClient(client);
    const original = executionName({
      communityId: 'crash-aws',
      kind: 'monthly',
      period: '2026-01',
      revision: 1,
    });
    sfn
      .on(StartExecutionCommand, { name: original })
      .rejects(
        new ExecutionAlreadyExists({ message: `Execution Already Exists: ${original}`, $metadata: {} }),
      );
    sfn.on(StartExecutionCommand).resolves({
      executionArn: 'arn:aws-cn:states:cn-north-1:123456789012:execution:monthly:new',
      startDate: new Date(),
    });
    // The crashed run's execution has ended (its process died with it).
    sfn.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' });
    const port = sfnExecutionPort(
      { monthly: 'arn:monthly', quarterly: 'arn:quarterly', annual: 'arn:annual' },
      client,
    );
    await resumeInterruptedCycle(rt.repos, port, {
      communityId: 'crash-aws',
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names.some((name) => name !== original)).toBe(true);
  });

  // A new Step Functions execution of an approved revision (a resume) must not park at the review again:
  // nobody would answer its task token, and it would time out after 30 days. PrepareCycle reports the
  // recorded approval and the definition's Choice routes it past AwaitFinanceReview — the same definition
  // the local runs above went through, so this checks the AWS side's two pieces directly.
  it('on Step Functions, a resumed run of an approved cycle goes past the review to the allocation', async () => {
    await importAs(rt.repos, 'aws-approved');
    for (const month of ['2026-01', '2026-02', '2026-03']) await run('aws-approved', 'monthly', month);
    expect((await run('aws-approved', 'quarterly', '2026-Q1')).status).toBe('awaiting_review');
    faults.crash({ afterStoreWrites: 1 });
    await decideReview(rt.repos, rt.workflows, {
      communityId: 'aws-approved',
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'finance1',
      approve: true,
    });
    await faults.idle();
    faults.reset();
    const interrupted = await cycleOf(rt.repos, 'aws-approved', 'quarterly', '2026-Q1');
    expect(interrupted).toMatchObject({ status: 'running', decision: { approved: true } });

    // What the new execution's first state returns on AWS…
    const prepare = await loadHandler('PrepareCycle');
    expect(await prepare(cycleInput(interrupted))).toMatchObject({ approved: true });
    // …and where the synthesized definition sends it (both reviewed cycles share the shape).
    for (const kind of ['quarterly', 'annual'] as const) {
      const states = rt.workflows.definition(kind).States as Record<string, Record<string, unknown>>;
      const review = states[REVIEW_STATE]!;
      const choice = states[APPROVED_CHOICE]!;
      expect(choice).toMatchObject({
        Type: 'Choice',
        Choices: [{ Variable: '$.prepared.approved', BooleanEquals: true, Next: review.Next }],
        Default: REVIEW_STATE,
      });
      const entries = Object.entries(states).filter(([, s]) => s.Next === APPROVED_CHOICE);
      expect(entries.map(([name]) => name)).toEqual([
        kind === 'quarterly' ? 'BuildBulletin' : 'SettleAnnual',
      ]);
    }
  });

  // A retried CompleteCycle (its first response lost) must not record the completion twice: only the call
  // that made the transition appends `cycle.complete`.
  it('records one cycle.complete audit entry when CompleteCycle is retried', async () => {
    await importAs(rt.repos, 'complete-twice');
    faults.failHandler({
      functionId: 'CompleteCycle',
      on: 1,
      error: faultErrors.lambdaService,
      timing: 'after',
    });
    const cycle = await run('complete-twice', 'monthly', '2026-01');
    expect(cycle.status).toBe('completed');
    const completions = (await rt.repos.audit.entries('complete-twice')).filter(
      (e) => e.action === 'cycle.complete',
    );
    expect(completions).toHaveLength(1);
  });
});
