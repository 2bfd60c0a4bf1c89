/**
 * Two people (or a schedule and a person) doing the same thing at once: exactly one cycle run, exactly
 * one finance decision, the four-eyes rule, and imports that race. "Two processes" are two sets of
 * repositories (own DynamoDB clients) and two LocalWorkflows on the same table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview, startCycle } from '../../shared/app/cycle-service.js';
import { importDataset } from '../../shared/app/import-service.js';
import { MAP_CONCURRENCY } from '../../shared/app/institution-batches.js';
import { FourEyesError } from '../../shared/errors.js';
import { FaultInjector, faultErrors } from '../../shared/local/faults.js';
import type { LocalRuntime } from '../../shared/local/runtime.js';
import { LocalWorkflows } from '../../shared/local/workflows.js';
import { openStore, type Repositories } from '../../shared/store/index.js';
import type { CycleKind } from '../../shared/store/keys.js';
import { type Files, setCell } from '../fixtures/bad/cases.js';
import { cycleOf, importAs, openTestRuntime, refOf, tinyAs, totalPaid } from './helpers.js';

const faults = new FaultInjector();
let rt: LocalRuntime;
/** The second process: its own DynamoDB client and its own workflow engine, same table. */
let other: { repos: Repositories; workflows: LocalWorkflows; faults: FaultInjector };

beforeAll(async () => {
  rt = await openTestRuntime({ wrapHandler: faults.wrapHandler });
  const otherFaults = new FaultInjector();
  other = {
    repos: openStore({ endpoint: rt.endpoint!, tableName: rt.repos.table.name }),
    workflows: await LocalWorkflows.create({
      retryIntervalMs: 0,
      wrapHandler: otherFaults.wrapHandler,
      batchSpread: MAP_CONCURRENCY,
    }),
    faults: otherFaults,
  };
}, 120_000);

afterAll(async () => {
  await faults.idle();
  await other?.faults.idle();
  other?.repos.table.doc.destroy();
  await rt?.close();
});

const start = (
  repos: Repositories,
  workflows: LocalWorkflows,
  communityId: string,
  kind: CycleKind,
  period: string,
  by: string,
) => startCycle(repos, workflows, { communityId, kind, period, by });

async function monthsDone(communityId: string, months: string[]) {
  for (const period of months) {
    await start(rt.repos, rt.workflows, communityId, 'monthly', period, 'office1');
    expect((await cycleOf(rt.repos, communityId, 'monthly', period)).status).toBe('completed');
  }
}

async function quarterAwaitingReview(communityId: string) {
  await importAs(rt.repos, communityId);
  await monthsDone(communityId, ['2026-01', '2026-02', '2026-03']);
  await start(rt.repos, rt.workflows, communityId, 'quarterly', '2026-Q1', 'office1');
  expect((await cycleOf(rt.repos, communityId, 'quarterly', '2026-Q1')).status).toBe('awaiting_review');
}

describe('two starts of the same cycle', () => {
  it('from two processes at once: exactly one runs it, the other gets the existing cycle', async () => {
    await importAs(rt.repos, 'start-race');
    faults.reset();
    other.faults.reset();
    const [a, b] = await Promise.all([
      start(rt.repos, rt.workflows, 'start-race', 'monthly', '2026-01', 'office1'),
      start(other.repos, other.workflows, 'start-race', 'monthly', '2026-01', 'scheduler'),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.cycle.revision).toBe(1);
    expect(b.cycle.revision).toBe(1);
    // One run in all: one PrepareCycle, one pay step per institution, one lock.
    expect(faults.calls('PrepareCycle') + other.faults.calls('PrepareCycle')).toBe(1);
    expect(faults.calls('ComputeMonthlyPay') + other.faults.calls('ComputeMonthlyPay')).toBe(4);
    const cycle = await cycleOf(rt.repos, 'start-race', 'monthly', '2026-01');
    expect(cycle.status).toBe('completed');
    expect(cycle.startedBy).toBe((a.created ? a : b).cycle.startedBy);
    const starts = (await rt.repos.audit.entries('start-race')).filter((e) => e.action === 'cycle.start');
    expect(starts).toHaveLength(1);
  });

  it('five at once in one process: one run', async () => {
    await importAs(rt.repos, 'start-five');
    faults.reset();
    const outcomes = await Promise.all(
      ['office1', 'office2', 'office3', 'scheduler', 'office1'].map((by) =>
        start(rt.repos, rt.workflows, 'start-five', 'monthly', '2026-02', by),
      ),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(faults.calls('PrepareCycle')).toBe(1);
    expect((await cycleOf(rt.repos, 'start-five', 'monthly', '2026-02')).status).toBe('completed');
  });

  it('of a failed cycle: exactly one new revision', async () => {
    await importAs(rt.repos, 'restart-race');
    faults
      .reset()
      .failHandler({ functionId: 'BuildMonthlyReport', on: 1, error: () => faultErrors.generic('boom') });
    await start(rt.repos, rt.workflows, 'restart-race', 'monthly', '2026-01', 'office1');
    expect((await cycleOf(rt.repos, 'restart-race', 'monthly', '2026-01')).status).toBe('failed');
    faults.reset();
    other.faults.reset();
    const [a, b] = await Promise.all([
      start(rt.repos, rt.workflows, 'restart-race', 'monthly', '2026-01', 'office1'),
      start(other.repos, other.workflows, 'restart-race', 'monthly', '2026-01', 'office2'),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(faults.calls('PrepareCycle') + other.faults.calls('PrepareCycle')).toBe(1);
    const cycle = await cycleOf(rt.repos, 'restart-race', 'monthly', '2026-01');
    expect(cycle).toMatchObject({ status: 'completed', revision: 2 });
  });
});

describe('two finance decisions on the same review', () => {
  it('two approvals at once (finance2, finance3): one wins, the other is told, the quarter is paid once', async () => {
    await quarterAwaitingReview('approve-race');
    faults.reset();
    other.faults.reset();
    const settled = await Promise.allSettled([
      decideReview(rt.repos, rt.workflows, {
        communityId: 'approve-race',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance2',
        approve: true,
      }),
      decideReview(other.repos, other.workflows, {
        communityId: 'approve-race',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance3',
        approve: true,
      }),
    ]);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    // The loser learns the review is no longer open, in both languages.
    expect(String(lost[0]!.reason.message)).toMatch(
      /周期 quarterly 2026-Q1.*\/ .*cycle quarterly 2026-Q1 (is (running|completed)|was already approved)/s,
    );

    const cycle = await cycleOf(rt.repos, 'approve-race', 'quarterly', '2026-Q1');
    expect(cycle.status).toBe('completed');
    expect(['finance2', 'finance3']).toContain(cycle.decision?.by);
    expect(faults.calls('AllocatePool') + other.faults.calls('AllocatePool')).toBe(4);
    const approvals = (await rt.repos.audit.entries('approve-race')).filter(
      (e) => e.action === 'review.approve',
    );
    expect(approvals.map((e) => e.actor)).toEqual([cycle.decision?.by]);
    expect(await totalPaid(rt.repos, cycle)).toBeGreaterThan(0);
  });

  // The loser of two simultaneous decisions is told who decided (decideReview re-reads the cycle).
  it('the loser of two approvals gets a ReviewStateError naming who decided', async () => {
    await quarterAwaitingReview('approve-race-msg');
    const settled = await Promise.allSettled([
      decideReview(rt.repos, rt.workflows, {
        communityId: 'approve-race-msg',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance2',
        approve: true,
      }),
      decideReview(other.repos, other.workflows, {
        communityId: 'approve-race-msg',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance3',
        approve: true,
      }),
    ]);
    const lost = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')!;
    const winner = (await cycleOf(rt.repos, 'approve-race-msg', 'quarterly', '2026-Q1')).decision!.by;
    expect(lost.reason.name).toBe('ReviewStateError');
    expect(lost.reason.message).toContain(winner);
  });

  it('an approval racing a rejection: whichever wins decides, and a rejected quarter pays nothing', async () => {
    await quarterAwaitingReview('approve-reject');
    faults.reset();
    other.faults.reset();
    const settled = await Promise.allSettled([
      decideReview(rt.repos, rt.workflows, {
        communityId: 'approve-reject',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance2',
        approve: true,
      }),
      decideReview(other.repos, other.workflows, {
        communityId: 'approve-reject',
        kind: 'quarterly',
        period: '2026-Q1',
        by: 'finance3',
        approve: false,
        reason: '收入数据待核对',
      }),
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const cycle = await cycleOf(rt.repos, 'approve-reject', 'quarterly', '2026-Q1');
    if (cycle.decision?.approved) {
      expect(cycle.status).toBe('completed');
      expect(cycle.decision.by).toBe('finance2');
    } else {
      expect(cycle).toMatchObject({ status: 'rejected', decision: { by: 'finance3', approved: false } });
      expect(await rt.repos.results.payLines(refOf(cycle))).toEqual([]);
      expect(faults.calls('AllocatePool') + other.faults.calls('AllocatePool')).toBe(0);
    }
  });
});

describe('four eyes', () => {
  it('refuses an approval by the user who started the cycle and leaves the review open', async () => {
    await quarterAwaitingReview('four-eyes');
    const before = await cycleOf(rt.repos, 'four-eyes', 'quarterly', '2026-Q1');
    const attempt = decideReview(rt.repos, rt.workflows, {
      communityId: 'four-eyes',
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'office1',
      approve: true,
    });
    await expect(attempt).rejects.toBeInstanceOf(FourEyesError);
    await expect(attempt).rejects.toThrow('审核人不能是发起人 office1（双人复核）');
    await expect(attempt).rejects.toThrow(
      'the approver must not be office1, who started the cycle (four eyes)',
    );
    expect(await cycleOf(rt.repos, 'four-eyes', 'quarterly', '2026-Q1')).toEqual(before);
    expect((await rt.repos.audit.entries('four-eyes')).map((e) => e.action)).not.toContain('review.approve');

    // Another finance user can.
    await decideReview(rt.repos, rt.workflows, {
      communityId: 'four-eyes',
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'finance2',
      approve: true,
    });
    expect((await cycleOf(rt.repos, 'four-eyes', 'quarterly', '2026-Q1')).status).toBe('completed');
  });

  it('refuses a rejection by the starter too, and a rejection without a reason', async () => {
    await quarterAwaitingReview('four-eyes-reject');
    const base = {
      communityId: 'four-eyes-reject',
      kind: 'quarterly' as const,
      period: '2026-Q1',
      approve: false,
    };
    await expect(
      decideReview(rt.repos, rt.workflows, { ...base, by: 'office1', reason: '数据有误' }),
    ).rejects.toBeInstanceOf(FourEyesError);
    await expect(
      decideReview(rt.repos, rt.workflows, { ...base, by: 'finance2', reason: '  ' }),
    ).rejects.toThrow('a rejection needs a reason');
    expect((await cycleOf(rt.repos, 'four-eyes-reject', 'quarterly', '2026-Q1')).status).toBe(
      'awaiting_review',
    );
  });
});

describe('two imports at once', () => {
  /**
   * Holds every batch write until both imports of a round have claimed the next version's manifest —
   * the window a real race opens when two offices press "import" together. Armed once per round.
   */
  function raceWindow(clients: Repositories[]) {
    let claims = 0;
    let release: () => void = () => {};
    let open = Promise.resolve();
    const claimed = () => {
      if (++claims === 2) release();
    };
    for (const repos of clients) {
      repos.table.doc.middlewareStack.add(
        (next, context) => async (args) => {
          const item = (args.input as { Item?: { status?: unknown } }).Item;
          const claim = context.commandName === 'PutItemCommand' && item?.status === 'writing';
          if (context.commandName === 'BatchWriteItemCommand') await open;
          try {
            return await next(args);
          } finally {
            // A refused claim counts too: the store then takes the "stale" manifest over.
            if (claim) claimed();
          }
        },
        { step: 'initialize', name: 'raceWindow' },
      );
    }
    return {
      arm() {
        claims = 0;
        open = new Promise<void>((resolve) => {
          release = resolve;
          setTimeout(resolve, 3_000).unref();
        });
      },
      remove() {
        release();
        for (const repos of clients) repos.table.doc.middlewareStack.remove('raceWindow');
      },
    };
  }

  const everyWorkPoint = (files: Files, value: string) => {
    let out = files;
    for (let row = 2; row <= 193; row++) out = setCell(out, 'workload.csv', row, 'workPoints', value);
    return out;
  };

  // The year's import lease lets one import write at a time (the other is refused, naming who runs),
  // every import claims its own version (partition), and the pointer switch lets only one win: the
  // current version is exactly its data.
  it('the version that becomes current holds exactly the dataset of the import that won', async () => {
    await importAs(rt.repos, 'import-race');
    const window = raceWindow([rt.repos, other.repos]);
    try {
      for (const round of [1, 2, 3]) {
        window.arm();
        const a = everyWorkPoint(tinyAs('import-race'), `${round}1`);
        const b = everyWorkPoint(tinyAs('import-race'), `${round}2`);
        const settled = await Promise.allSettled([
          importDataset(rt.repos, { files: a }, 'officeA'),
          importDataset(other.repos, { files: b }, 'officeB'),
        ]);
        const winners = settled.filter((s) => s.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        const loser = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')!;
        expect(loser.reason.message).toMatch(
          /Another import for import-race finished first|an import of 2026 started by office[AB] .* is still running/,
        );
        const current = (await rt.repos.datasets.current('import-race'))!;
        const stored = await rt.repos.datasets.load('import-race', current.version);
        const expected = current.importedBy === 'officeA' ? `${round}1` : `${round}2`;
        expect(new Set(stored.workload.map((w) => w.workPoints))).toEqual(new Set([expected]));
      }
    } finally {
      window.remove();
    }
  });
});
