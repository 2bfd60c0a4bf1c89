/**
 * The period lifecycle on DynamoDB Local and the real state machines (issue 11): consecutive years, locks
 * that freeze exactly what a completed cycle paid on (DOMAIN.md v1.1), no empty months, corrections
 * (§7.1), imports and cycles that exclude each other, and an interrupted import that blocks nobody.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputePeriod } from '../../../functions/recompute-period.js';
import { decideCorrection, startCorrection } from '../../../shared/app/correction-service.js';
import { decideReview, resumeInterruptedCycle, startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset, recoverImport } from '../../../shared/app/import-service.js';
import { nextYearFiles } from '../../../shared/app/next-year.js';
import { runCycleToEnd, runYear } from '../../../shared/app/year-runner.js';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { computeYear } from '../../../shared/domain/year.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { keys } from '../../../shared/store/keys.js';
import { thisMachine } from '../../../shared/store/leases.js';
import { type Files, openTestRuntime, tinyAs } from '../../reliability/helpers.js';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await openTestRuntime();
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

type Kind = 'monthly' | 'quarterly' | 'annual';
const run = (communityId: string, kind: Kind, period: string, extra: object = {}) =>
  runCycleToEnd(rt.repos, rt.workflows, {
    communityId,
    kind,
    period,
    by: 'office1',
    approver: 'finance1',
    ...extra,
  });

/** The tiny dataset moved to another year (every period and the scheme's year). */
function tinyInYear(communityId: string, year: number): Files {
  const files = tinyAs(communityId);
  const out: Files = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] =
      name === 'scheme.json'
        ? text.replace('"year": 2026', `"year": ${year}`)
        : (text as string).replaceAll('2026-', `${year}-`).replace(/^2026,/m, `${year},`);
  }
  return out;
}

/** Edits lines of one CSV: `edit` returns the new line, or null to drop it. */
function editCsv(files: Files, name: string, edit: (line: string, index: number) => string | null): Files {
  const lines = (files[name] as string).split('\n');
  const kept = lines.flatMap((line, i) => {
    if (i === 0 || line === '') return [line];
    const next = edit(line, i);
    return next === null ? [] : [next];
  });
  return { ...files, [name]: kept.join('\n') };
}

const lineTotals = async (communityId: string, kind: Kind, period: string, revision: number) => {
  const pages = await rt.repos.results.payLines<{ staffId: string; gross?: number; amount?: number }>({
    communityId,
    kind,
    period,
    revision,
  });
  const byStaff = new Map<string, number>();
  for (const l of pages.flatMap((p) => p.lines)) byStaff.set(l.staffId, l.gross ?? l.amount ?? 0);
  return byStaff;
};

describe('a county runs year after year', () => {
  it('imports and runs 2027 after the 2026 annual; each year matches its own reference figures', async () => {
    const c = 'years';
    for (const year of [2026, 2027]) {
      // 2027 starts from the files the 2026 appraisal exports: totals T′, leader salaries, the scheme.
      const files = {
        ...tinyInYear(c, year),
        ...(year === 2027 ? await nextYearFiles(rt.repos, c, 2026) : {}),
      };
      const parsed = parseDatasetFiles(files);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues.slice(0, 3)));
      await importDataset(rt.repos, { files }, 'office1');
      await runYear(rt.repos, rt.workflows, { communityId: c, year, by: 'office1', approver: 'finance1' });
      const reference = computeYear(parsed.dataset);
      for (const [period, institutions] of reference.monthly) {
        const cycle = (await rt.repos.cycles.get(c, 'monthly', period))!;
        const stored = await lineTotals(c, 'monthly', period, cycle.revision);
        const expected = new Map(
          institutions.flatMap((i) => i.lines.map((l) => [l.staffId, l.gross] as const)),
        );
        expect(stored).toEqual(expected);
      }
      const annual = (await rt.repos.cycles.get(c, 'annual', String(year)))!;
      const stored = await lineTotals(c, 'annual', String(year), annual.revision);
      expect(stored).toEqual(
        new Map(
          reference.annual.allocations.flatMap((a) => a.lines.map((l) => [l.staffId, l.amount] as const)),
        ),
      );
    }
    // 2026 stays as it was: its pointer, its cycles and its locks.
    expect((await rt.repos.datasets.current(c, 2026))?.year).toBe(2026);
    expect((await rt.repos.datasets.current(c))?.year).toBe(2027);
    expect(await rt.repos.datasets.years(c)).toEqual([2026, 2027]);
    expect((await rt.repos.cycles.listYear(c, 2026)).every((x) => x.status === 'completed')).toBe(true);
    expect((await rt.repos.cycles.locks(c, 2026)).map((l) => l.period)).toContain('2026');
    // The 2027 totals are the 2026 appraisal's T′.
    const settled = computeYear(parseOk(tinyInYear(c, 2026))).annual.settlement.institutions;
    const imported2027 = await rt.repos.datasets.institutions(
      c,
      (await rt.repos.datasets.current(c, 2027))!.version,
    );
    expect(imported2027.map((i) => [i.id, i.approvedTotal])).toEqual(
      settled.map((s) => [s.institutionId, s.nextApprovedTotal]),
    );
    // A locked year refuses an import and says where corrections go now that the next year exists.
    await expect(importDataset(rt.repos, { files: tinyInYear(c, 2026) }, 'office1')).rejects.toThrow(
      /2027 dataset/,
    );
  }, 240_000);
});

describe('no empty month', () => {
  it('refuses a month with no workload rows and writes nothing, neither cycle nor lock', async () => {
    const c = 'empty';
    const files = editCsv(tinyAs(c), 'workload.csv', (line) => (line >= '2026-04' ? null : line));
    await importDataset(rt.repos, { files }, 'office1');
    for (const m of ['2026-01', '2026-02', '2026-03']) await run(c, 'monthly', m);
    await expect(run(c, 'monthly', '2026-04')).rejects.toThrow(/no workload rows at all/);
    expect(await rt.repos.cycles.get(c, 'monthly', '2026-04')).toBeUndefined();
    expect((await rt.repos.cycles.locks(c, 2026)).map((l) => l.period)).not.toContain('2026-04');
    // The real April data is still accepted afterwards.
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    expect((await run(c, 'monthly', '2026-04')).status).toBe('completed');
  }, 120_000);

  it('names institutions without rows and proceeds only when they are acknowledged', async () => {
    const c = 'partial';
    const files = editCsv(tinyAs(c), 'workload.csv', (line) =>
      line.startsWith('2026-01,T01-') ? null : line,
    );
    await importDataset(rt.repos, { files }, 'office1');
    await expect(run(c, 'monthly', '2026-01')).rejects.toThrow(/T01[\s\S]*--allow-missing T01/);
    expect(await rt.repos.cycles.get(c, 'monthly', '2026-01')).toBeUndefined();
    await expect(run(c, 'monthly', '2026-01', { allowMissing: ['C01'] })).rejects.toThrow(/T01/);
    const done = await run(c, 'monthly', '2026-01', { allowMissing: ['T01'] });
    expect(done.status).toBe('completed');
    expect(done.acknowledgedMissing).toEqual(['T01']);
    const audit = await rt.repos.audit.entries(c);
    expect(audit.find((e) => e.action === 'cycle.start')?.details.acknowledgedMissing).toBe('T01');
  }, 120_000);
});

describe('locks freeze what a completed cycle paid on (v1.1)', () => {
  it('after a rejected quarter, corrected finance rows are taken and r2 differs exactly as they imply; months stay as paid', async () => {
    const c = 'reject-fix';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    for (const m of ['2026-01', '2026-02', '2026-03']) await run(c, 'monthly', m);
    const monthsBefore = await Promise.all(
      ['2026-01', '2026-02', '2026-03'].map((m) => lineTotals(c, 'monthly', m, 1)),
    );
    await startCycle(rt.repos, rt.workflows, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'office1',
    });
    await decideReview(rt.repos, rt.workflows, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'finance1',
      approve: false,
      reason: 'C01 二月手术收入录错',
    });
    const r1 = (
      await rt.repos.results.institutions<{ institutionId: string; surplus: number; pool: number }>({
        communityId: c,
        kind: 'quarterly',
        period: '2026-Q1',
        revision: 1,
      })
    ).find((r) => r.institutionId === 'C01')!;
    // +1,000.00 yuan of C01's February surgery revenue: S grows by 100,000 fen.
    const corrected = editCsv(tinyAs(c), 'finance.csv', (line) => {
      if (!line.startsWith('2026-02,C01,surgery,')) return line;
      const amount = Number(line.split(',')[3]);
      return `2026-02,C01,surgery,${(amount + 1000).toFixed(2)}`;
    });
    await importDataset(rt.repos, { files: corrected }, 'office1');
    const r2cycle = await run(c, 'quarterly', '2026-Q1');
    expect(r2cycle.revision).toBe(2);
    const r2 = (
      await rt.repos.results.institutions<{ institutionId: string; surplus: number; pool: number }>({
        communityId: c,
        kind: 'quarterly',
        period: '2026-Q1',
        revision: 2,
      })
    ).find((r) => r.institutionId === 'C01')!;
    expect(r2.surplus - r1.surplus).toBe(100_000);
    const scheme = JSON.parse(tinyAs(c)['scheme.json'] as string);
    const F = Math.round(r2.surplus * scheme.pay.surplus.fundExtractionRate);
    expect(r2.pool).toBe(Math.round((r2.surplus - F) * scheme.pay.surplus.rewardShare));
    const monthsAfter = await Promise.all(
      ['2026-01', '2026-02', '2026-03'].map((m) => lineTotals(c, 'monthly', m, 1)),
    );
    expect(monthsAfter).toEqual(monthsBefore);
    // Now the quarter is completed, its finance rows are frozen.
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).rejects.toThrow(
      /2026-Q1 is locked/,
    );
  }, 120_000);

  it('a completed month freezes its workload but not its indicator values until the quarter completes', async () => {
    const c = 'freeze-parts';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    await run(c, 'monthly', '2026-01');
    const workload = editCsv(tinyAs(c), 'workload.csv', (line) =>
      line.startsWith('2026-01,C01-001,') ? line.replace(',1420,', ',1520,') : line,
    );
    await expect(importDataset(rt.repos, { files: workload }, 'office1')).rejects.toThrow(
      /workload\.csv[\s\S]*2026-01 is locked/,
    );
    const values = editCsv(tinyAs(c), 'indicator-values.csv', (line, i) =>
      i === 1 && line.startsWith('2026-01') ? line.replace(/,(\d+(\.\d+)?),/, ',1,') : line,
    );
    await expect(importDataset(rt.repos, { files: values }, 'office1')).resolves.toBeDefined();
  }, 120_000);
});

describe('corrections of completed periods (§7.1)', () => {
  it('posts each difference of a corrected month into the next open month, summing to the revision difference', async () => {
    const c = 'correct-month';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    for (const m of ['2026-01', '2026-02', '2026-03']) await run(c, 'monthly', m);
    const fixed = editCsv(tinyAs(c), 'workload.csv', (line) => {
      if (line.startsWith('2026-03,C01-001,')) {
        const cells = line.split(',');
        cells[2] = String(Number(cells[2]) + 400);
        return cells.join(',');
      }
      return line;
    });
    const correction = await startCorrection(rt.repos, recomputePeriod, {
      communityId: c,
      kind: 'monthly',
      period: '2026-03',
      source: { files: fixed },
      by: 'office1',
      reason: '3 月工分漏记',
    });
    expect(correction.revision).toBe(2);
    expect(correction.status).toBe('awaiting_review');
    const old = await lineTotals(c, 'monthly', '2026-03', 1);
    const next = await lineTotals(c, 'monthly', '2026-03', 2);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(correction.totals.difference).toBe(sum(next) - sum(old));
    expect(correction.totals.people).toBeGreaterThan(1); // the points moved shares within C01
    // Nothing is posted, and imports of the year wait, until finance decides; four eyes.
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).rejects.toThrow(
      /correction monthly 2026-03/,
    );
    await expect(
      decideCorrection(rt.repos, {
        communityId: c,
        kind: 'monthly',
        period: '2026-03',
        by: 'office1',
        approve: true,
      }),
    ).rejects.toThrow(/four eyes/);
    const approved = await decideCorrection(rt.repos, {
      communityId: c,
      kind: 'monthly',
      period: '2026-03',
      by: 'finance1',
      approve: true,
    });
    expect(approved.postedTo).toBe('2026-04');
    // The corrected rows are now the locked ones and the year's current data.
    await expect(importDataset(rt.repos, { files: fixed }, 'office1')).resolves.toBeDefined();
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).rejects.toThrow(/2026-03/);
    const april = await run(c, 'monthly', '2026-04');
    const pages = await rt.repos.results.payLines<{ staffId: string; adjustment: number }>({
      communityId: c,
      kind: 'monthly',
      period: '2026-04',
      revision: april.revision,
    });
    const aprilLines = new Map(pages.flatMap((p) => p.lines).map((l) => [l.staffId, l.adjustment]));
    // Per person: the April adjustment is the tiny dataset's own April adjustment plus the difference.
    const reference = computeYear(parseOk(tinyAs(c)));
    const own = new Map(
      reference.monthly
        .get('2026-04')!
        .flatMap((i) => i.lines.map((l) => [l.staffId, l.adjustment] as const)),
    );
    for (const staffId of new Set([...old.keys(), ...next.keys()])) {
      const difference = (next.get(staffId) ?? 0) - (old.get(staffId) ?? 0);
      expect((aprilLines.get(staffId) ?? 0) - (own.get(staffId) ?? 0)).toBe(difference);
    }
    const audit = (await rt.repos.audit.entries(c)).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['correction.start', 'correction.approve']));
  }, 180_000);

  it('corrects a completed quarter: its surplus shares change as the corrected finance rows imply, paid in April', async () => {
    const c = 'correct-quarter';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    for (const m of ['2026-01', '2026-02', '2026-03']) await run(c, 'monthly', m);
    await run(c, 'quarterly', '2026-Q1');
    const fixed = editCsv(tinyAs(c), 'finance.csv', (line) => {
      if (!line.startsWith('2026-02,C01,surgery,')) return line;
      return `2026-02,C01,surgery,${(Number(line.split(',')[3]) + 1000).toFixed(2)}`;
    });
    const correction = await startCorrection(rt.repos, recomputePeriod, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      source: { files: fixed },
      by: 'office1',
    });
    const pool = async (revision: number) =>
      (await rt.repos.results.institution<{ pool: number }>(
        { communityId: c, kind: 'quarterly', period: '2026-Q1', revision },
        'C01',
      ))!.pool;
    // S grows by 100,000 fen: the pool by round((S′−F′)·share) − round((S−F)·share), all paid out.
    expect(correction.totals.difference).toBe((await pool(correction.revision)) - (await pool(1)));
    expect(correction.totals.difference).toBeGreaterThan(0);
    const approved = await decideCorrection(rt.repos, {
      communityId: c,
      kind: 'quarterly',
      period: '2026-Q1',
      by: 'finance2',
      approve: true,
    });
    expect(approved.postedTo).toBe('2026-04');
    const posted = await rt.repos.corrections.postedAdjustments(c, '2026-04', 'C01');
    expect(posted.reduce((a, p) => a + p.amount, 0)).toBe(correction.totals.difference);
    expect(new Set(posted.map((p) => `${p.reason}|${p.refPeriod}`))).toEqual(
      new Set(['更正 2026-Q1 r2|2026-Q1']),
    );
    // The quarter's lock now holds the corrected finance rows.
    await expect(importDataset(rt.repos, { files: fixed }, 'office1')).resolves.toBeDefined();
  }, 180_000);

  it('a rejected correction posts nothing', async () => {
    const c = 'correct-reject';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    await run(c, 'monthly', '2026-01');
    const fixed = editCsv(tinyAs(c), 'workload.csv', (line) =>
      line.startsWith('2026-01,C01-002,') ? line.replace(',746,', ',846,') : line,
    );
    await startCorrection(rt.repos, recomputePeriod, {
      communityId: c,
      kind: 'monthly',
      period: '2026-01',
      source: { files: fixed },
      by: 'office1',
    });
    await decideCorrection(rt.repos, {
      communityId: c,
      kind: 'monthly',
      period: '2026-01',
      by: 'finance1',
      approve: false,
      reason: '依据不足',
    });
    expect(await rt.repos.corrections.postings(c, '2026-02')).toEqual([]);
    await expect(importDataset(rt.repos, { files: fixed }, 'office1')).rejects.toThrow(/2026-01/);
  }, 120_000);
});

describe('imports and cycles exclude each other', () => {
  it('refuses a cycle start while an import of the year holds its lease', async () => {
    const c = 'race-start';
    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    const lease = await rt.repos.leases.acquire(c, 2026, 'office2');
    await expect(
      startCycle(rt.repos, rt.workflows, {
        communityId: c,
        kind: 'monthly',
        period: '2026-01',
        by: 'office1',
      }),
    ).rejects.toThrow(/still running/);
    expect(await rt.repos.cycles.get(c, 'monthly', '2026-01')).toBeUndefined();
    await rt.repos.leases.release(lease);
    expect((await run(c, 'monthly', '2026-01')).status).toBe('completed');
  }, 120_000);

  it('refuses an import that would change a month whose cycle was interrupted; the resume pays on the version it started with', async () => {
    const c = 'race-crash';
    const first = await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    // A monthly cycle whose process died before it completed: the record says running.
    await rt.repos.cycles.start({
      communityId: c,
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
      datasetVersion: first.pointer.version,
    });
    const changed = editCsv(tinyAs(c), 'workload.csv', (line) =>
      line.startsWith('2026-01,C01-001,') ? line.replace(',1420,', ',1999,') : line,
    );
    await expect(importDataset(rt.repos, { files: changed }, 'office1')).rejects.toThrow(
      /monthly 2026-01 r1 \(running\)/,
    );
    // A change elsewhere is fine (February is not in use)…
    const february = editCsv(tinyAs(c), 'workload.csv', (line) =>
      line.startsWith('2026-02,C01-001,') ? line.replace(/,(\d+),/, ',1111,') : line,
    );
    const second = await importDataset(rt.repos, { files: february }, 'office1');
    expect(second.pointer.version).toBeGreaterThan(first.pointer.version);
    // …and the resumed January still runs on, and locks, the version it started with.
    await resumeInterruptedCycle(rt.repos, rt.workflows, {
      communityId: c,
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });
    const lock = (await rt.repos.cycles.locks(c, 2026)).find((l) => l.period === '2026-01')!;
    expect(lock.datasetVersion).toBe(first.pointer.version);
    expect(lock.hashes).toEqual(await rt.repos.datasets.monthHashes(c, first.pointer.version, '2026-01'));
  }, 120_000);

  it('an interrupted import does not block the next one, and --recover clears a lease by hand', async () => {
    const c = 'interrupted';
    // A lease left by a process of this machine that is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const now = new Date().toISOString();
    await rt.repos.table.put({
      ...keys.importLease(c, 2026),
      type: 'ImportLease',
      communityId: c,
      year: 2026,
      holder: 'dead-import',
      by: 'office2',
      pid: gone,
      machine: thisMachine,
      startedAt: now,
      heartbeatAt: now,
    });
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).resolves.toBeDefined();
    expect((await rt.repos.audit.entries(c)).map((e) => e.action)).toContain('import.recover');
    // One on another machine with a fresh heartbeat might still run: it blocks until cleared by hand.
    await rt.repos.table.put({
      ...keys.importLease(c, 2026),
      type: 'ImportLease',
      communityId: c,
      year: 2026,
      holder: 'other-machine',
      by: 'office2',
      pid: 1,
      machine: 'elsewhere|boot',
      startedAt: now,
      heartbeatAt: now,
    });
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).rejects.toThrow(/--recover/);
    const { cleared } = await recoverImport(rt.repos, c, 2026, 'office1');
    expect(cleared?.holder).toBe('other-machine');
    await expect(importDataset(rt.repos, { files: tinyAs(c) }, 'office1')).resolves.toBeDefined();
  }, 120_000);
});

function parseOk(files: Files) {
  const parsed = parseDatasetFiles(files);
  if (!parsed.ok) throw new Error('dataset invalid');
  return parsed.dataset;
}
