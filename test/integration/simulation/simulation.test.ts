/**
 * 模拟测算 over the golden year: the scheme in force reproduces the real run byte for byte with 0
 * differences; a draft with changed weights, targets, holdback and grade bands gives exactly what a real
 * run of a dataset carrying that scheme gives; and a simulation changes nothing stored but one audit entry.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../shared/app/import-service.js';
import { writeYearResults } from '../../../shared/app/results-writer.js';
import {
  parseSchemeDraft,
  type Simulation,
  simulateScheme,
  writeSimulation,
} from '../../../shared/app/simulation.js';
import { runYear } from '../../../shared/app/year-runner.js';
import { DatasetInvalidError, datasetOrThrow, readDatasetDir } from '../../../shared/dataset/index.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { scanTable } from '../../reliability/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const DATASET = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const CONTRACT =
  /^(monthly\/[^/]+\/paysheet\.json|quarterly\/[^/]+\/(bulletin|paysheet)\.json|annual\/[^/]+\/(appraisal|paysheet)\.json)$/;

let rt: LocalRuntime;
let work: string;
const communityId = 'county7';

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await walk(path, base)));
    else out.push(relative(base, path));
  }
  return out.sort();
}

const contractFilesOf = async (dir: string) => (await walk(dir)).filter((f) => CONTRACT.test(f));

/** The draft: weights, a target, the holdback and the grade bands changed. */
function draftScheme(text: string, community: string): string {
  const scheme = JSON.parse(text);
  scheme.community.id = community;
  scheme.pay.holdbackRate = 0.3;
  scheme.grades[0].min = 85;
  scheme.grades[0].coefficient = 1.2;
  scheme.grades[1].min = 70;
  scheme.grades[2].reserveRelease = 0.6;
  return `${JSON.stringify(scheme, null, 2)}\n`;
}

function draftIndicators(text: string): string {
  return text
    .replace(
      'primary_visit_share,基层诊疗人次占比,Primary-care visit share,public_benefit,*,monthly,higher,ratio,ge_target,15,0.65',
      'primary_visit_share,基层诊疗人次占比,Primary-care visit share,public_benefit,*,monthly,higher,ratio,ge_target,25,0.55',
    )
    .replace(
      'referrals_down,下转患者人次,Patients referred down,medical,*,monthly,higher,sum,ge_target,10,120',
      'referrals_down,下转患者人次,Patients referred down,medical,*,monthly,higher,sum,ge_target,5,200',
    );
}

/** Σ per person over every §8.1 pay sheet of a results folder (fen), computed from the files alone. */
async function grossByPerson(dir: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const file of (await contractFilesOf(dir)).filter((f) => f.endsWith('paysheet.json'))) {
    const rows = JSON.parse(await readFile(join(dir, file), 'utf8')) as Record<string, string>[];
    for (const row of rows) {
      const amount = row.gross ?? row.quarterlySurplus ?? row.annualBonus!;
      const fen = Math.round(Number(amount) * 100);
      totals.set(row.staffId!, (totals.get(row.staffId!) ?? 0) + fen);
    }
  }
  return totals;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'medcomm-simulate-'));
  rt = await openLocalRuntime({
    endpoint: dynamoEndpoint(),
    tableName: `simulate-${Date.now().toString(36)}`,
  });
  // The golden year, run for real.
  await importDataset(rt.repos, { dir: DATASET }, 'office1');
  await runYear(rt.repos, rt.workflows, { communityId, year: 2026, by: 'office1', approver: 'finance1' });
  await writeYearResults(rt.repos, communityId, 2026, join(work, 'real'));
  // The same year carrying the draft scheme, run for real as another community of the same table.
  const changed = join(work, 'changed-dataset');
  await cp(DATASET, changed, { recursive: true });
  await writeFile(
    join(changed, 'scheme.json'),
    draftScheme(await readFile(join(DATASET, 'scheme.json'), 'utf8'), 'county7b'),
  );
  await writeFile(
    join(changed, 'indicators.csv'),
    draftIndicators(await readFile(join(DATASET, 'indicators.csv'), 'utf8')),
  );
  await importDataset(rt.repos, { dir: changed }, 'office1');
  await runYear(rt.repos, rt.workflows, {
    communityId: 'county7b',
    year: 2026,
    by: 'office1',
    approver: 'finance1',
  });
  await writeYearResults(rt.repos, 'county7b', 2026, join(work, 'real-changed'));
}, 300_000);

afterAll(async () => {
  await rt?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('simulating the scheme in force', () => {
  let simulation: Simulation;
  let before: Record<string, unknown>[];
  let after: Record<string, unknown>[];

  beforeAll(async () => {
    const draft = parseSchemeDraft({
      scheme: await readFile(join(DATASET, 'scheme.json')),
      indicators: await readFile(join(DATASET, 'indicators.csv')),
    });
    before = await scanTable(rt.repos);
    simulation = await simulateScheme(rt.repos, { communityId, year: 2026, draft, by: 'office1' });
    after = await scanTable(rt.repos);
    await writeSimulation(join(work, 'same'), simulation);
  });

  it('covers the whole year, each period compared with its completed cycle', () => {
    expect(simulation.periods).toHaveLength(17);
    expect(simulation.periods.every((p) => p.actual === 'stored')).toBe(true);
  });

  it('finds 0 differences', () => {
    expect(simulation.diff.counts.winners).toBe(0);
    expect(simulation.diff.counts.losers).toBe(0);
    expect(simulation.diff.counts.unchanged).toBe(simulation.diff.people.length);
    expect(simulation.diff.people.length).toBeGreaterThan(0);
    expect(simulation.diff.community.difference).toBe(0);
    expect(simulation.diff.changedFiles).toEqual([]);
  });

  it('writes the §8.1 files byte-identical to the real run', async () => {
    const real = await contractFilesOf(join(work, 'real'));
    expect(real).toHaveLength(22);
    expect(await contractFilesOf(join(work, 'same/simulated'))).toEqual(real);
    for (const file of real) {
      const a = await readFile(join(work, 'real', file));
      const b = await readFile(join(work, 'same/simulated', file));
      expect(b.equals(a), file).toBe(true);
    }
  });

  it('changes nothing stored but one audit entry', () => {
    const key = (i: Record<string, unknown>) => `${i.pk}|${i.sk}`;
    const beforeKeys = new Set(before.map(key));
    const added = after.filter((i) => !beforeKeys.has(key(i)));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ type: 'Audit', action: 'scheme.simulate', actor: 'office1' });
    // Besides the new entry only the audit chain's head moved to it.
    const changed = after.filter((i) => {
      const old = before.find((b) => key(b) === key(i));
      return old !== undefined && JSON.stringify(old) !== JSON.stringify(i);
    });
    expect(changed.map((i) => i.type)).toEqual(['AuditHead']);
    expect(after).toHaveLength(before.length + 1);
  });

  it('writes diff.json and a printable report', async () => {
    const diff = JSON.parse(await readFile(join(work, 'same/diff.json'), 'utf8'));
    expect(diff.counts).toEqual(simulation.diff.counts);
    expect(diff.people[0]).toHaveProperty('components.annualBonus');
    const html = await readFile(join(work, 'same/report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('0 处差异');
  });
});

describe('simulating a draft with changed weights, targets, holdback and grade bands', () => {
  let simulation: Simulation;

  beforeAll(async () => {
    const draft = parseSchemeDraft({
      scheme: draftScheme(await readFile(join(DATASET, 'scheme.json'), 'utf8'), communityId),
      indicators: draftIndicators(await readFile(join(DATASET, 'indicators.csv'), 'utf8')),
    });
    simulation = await simulateScheme(rt.repos, { communityId, year: 2026, draft, by: 'office1' });
    await writeSimulation(join(work, 'draft'), simulation);
  });

  it('gives every figure of a real run of a dataset carrying that scheme', async () => {
    const real = await contractFilesOf(join(work, 'real-changed'));
    expect(real).toHaveLength(22);
    expect(await contractFilesOf(join(work, 'draft/simulated'))).toEqual(real);
    for (const file of real) {
      const want = await readFile(join(work, 'real-changed', file), 'utf8');
      const got = await readFile(join(work, 'draft/simulated', file), 'utf8');
      expect(got, file).toBe(want);
    }
  });

  it('differs from the scheme in force, and diff.json says by how much for each person', async () => {
    expect(simulation.diff.changedFiles.length).toBeGreaterThan(0);
    const actual = await grossByPerson(join(work, 'real'));
    const simulated = await grossByPerson(join(work, 'real-changed'));
    expect(simulation.diff.people.map((p) => p.staffId).sort()).toEqual([...actual.keys()].sort());
    for (const p of simulation.diff.people) {
      expect(p.actual, p.staffId).toBe(actual.get(p.staffId));
      expect(p.simulated, p.staffId).toBe(simulated.get(p.staffId));
      expect(p.difference).toBe(p.simulated - p.actual);
    }
    const { winners, losers, unchanged } = simulation.diff.counts;
    expect(winners + losers + unchanged).toBe(actual.size);
    expect(winners + losers).toBeGreaterThan(0);
    const inBuckets = simulation.diff.distribution.reduce((n, b) => n + b.count, 0);
    expect(inBuckets).toBe(actual.size);
  });

  it('simulates a year from a dataset folder (not imported) the same way', async () => {
    const draft = parseSchemeDraft({
      scheme: draftScheme(await readFile(join(DATASET, 'scheme.json'), 'utf8'), communityId),
      indicators: draftIndicators(await readFile(join(DATASET, 'indicators.csv'), 'utf8')),
    });
    const dataset = datasetOrThrow(await readDatasetDir(DATASET));
    const fromFolder = await simulateScheme(rt.repos, { year: 2026, draft, dataset, by: 'office1' });
    expect(fromFolder.periods.every((p) => p.actual === 'computed')).toBe(true);
    expect(fromFolder.diff.people).toEqual(simulation.diff.people);
  });

  it('keeps to the months asked for', async () => {
    const draft = parseSchemeDraft({
      scheme: draftScheme(await readFile(join(DATASET, 'scheme.json'), 'utf8'), communityId),
    });
    const half = await simulateScheme(rt.repos, {
      communityId,
      year: 2026,
      draft,
      months: [1, 2, 3, 4, 5, 6],
      by: 'office1',
    });
    expect(half.periods.map((p) => p.period)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-Q1',
      '2026-Q2',
    ]);
  });
});

describe('a draft is read with the import rules', () => {
  it('names the file, row and column of a bad indicator and of a bad scheme field', async () => {
    const indicators = (await readFile(join(DATASET, 'indicators.csv'), 'utf8')).replace(
      'ge_target,15,0.65',
      'ge_target,-15,0.65',
    );
    const scheme = (await readFile(join(DATASET, 'scheme.json'), 'utf8')).replace(
      '"holdbackRate": 0.2',
      '"holdbackRate": 1.2',
    );
    let error: unknown;
    try {
      parseSchemeDraft({ scheme, indicators });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetInvalidError);
    const issues = (error as DatasetInvalidError).issues;
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'scheme.json', column: 'pay.holdbackRate' }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ file: 'indicators.csv', row: 2, column: 'weight' }),
    );
  });
});
