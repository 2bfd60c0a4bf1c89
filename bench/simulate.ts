/**
 * 模拟测算 at scale: a draft scheme (holdback, a grade band and an indicator's weight changed) simulated
 * over a whole year, compared with the actual figures, and written (simulated/ §8.1 files, diff.json,
 * report.html). The county's year runs its 17 cycles first, so the actual figures are read from the
 * stored results; the city's year is imported only, so the scheme in force is computed as well (the
 * heavier path in memory). Targets: county ≤ 5 s, city ≤ 60 s.
 *
 * Run by bench/run.ts: `node bin/run-ts.mjs bench/simulate.ts --scale county --out FILE`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCounty, writeDataset } from '../shared/demo/index.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';

export interface SimulationBenchResult {
  scale: string;
  staff: number;
  institutions: number;
  /** Whether the year's cycles had run (actual figures read from the store) or not (computed). */
  actual: 'stored' | 'computed';
  periods: number;
  /** simulateScheme: read the dataset (and the stored results), compute, compare, audit. */
  simulateMs: number;
  /** writeSimulation: the §8.1 files, diff.json and report.html. */
  writeMs: number;
  totalMs: number;
  winners: number;
  losers: number;
  maxRssMb: number;
  /** The whole simulation (simulate + write) against its target. */
  targetMs: number;
}

const scale = parseScale(argValue('--scale'));
const out = argValue('--out');
if (!out) throw new Error('--out FILE is required');
const log = (text: string) => process.stderr.write(`  [${scale} simulation] ${text}\n`);

const work = mkdtempSync(join(tmpdir(), 'medcomm-bench-simulate-'));
let maxRss = 0;
const sampler = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
}, 50);
sampler.unref();

const files = generateCounty(SCALES[scale]);
const dataDir = join(work, 'dataset');
await writeDataset(dataDir, files);
const withCycles = scale === 'county';

const [{ openLocalRuntime }, { importDataset }, { runYear }, simulation] = await Promise.all([
  import('../shared/local/runtime.js'),
  import('../shared/app/import-service.js'),
  import('../shared/app/year-runner.js'),
  import('../shared/app/simulation.js'),
]);
const rt = await openLocalRuntime({ inMemory: true });
try {
  const { pointer } = await importDataset(rt.repos, { dir: dataDir }, BENCH_USERS.office);
  if (withCycles) {
    log('running the year’s 17 cycles first');
    await runYear(rt.repos, rt.workflows, {
      communityId: pointer.communityId,
      year: pointer.year,
      by: BENCH_USERS.office,
      approver: BENCH_USERS.finance,
    });
  }
  const scheme = JSON.parse(String(files['scheme.json']));
  scheme.pay.holdbackRate = 0.25;
  scheme.grades[0].min = 88;
  const [header, first, ...rest] = String(files['indicators.csv']).split('\n');
  const cells = first!.split(',');
  cells[9] = String(Number(cells[9]) + 5); // the first indicator's weight
  const draft = simulation.parseSchemeDraft({
    scheme: JSON.stringify(scheme),
    indicators: [header, cells.join(','), ...rest].join('\n'),
  });

  maxRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const s = await simulation.simulateScheme(rt.repos, {
    communityId: pointer.communityId,
    year: pointer.year,
    draft,
    by: BENCH_USERS.office,
  });
  const t1 = performance.now();
  await simulation.writeSimulation(join(work, 'out'), s);
  const t2 = performance.now();
  const result: SimulationBenchResult = {
    scale,
    staff: Object.keys(s.staffNames).length,
    institutions: Object.keys(s.institutionNames).length,
    actual: withCycles ? 'stored' : 'computed',
    periods: s.periods.length,
    simulateMs: Math.round(t1 - t0),
    writeMs: Math.round(t2 - t1),
    totalMs: Math.round(t2 - t0),
    winners: s.diff.counts.winners,
    losers: s.diff.counts.losers,
    maxRssMb: Math.round(maxRss / 1024 / 1024),
    targetMs: scale === 'county' ? 5_000 : 60_000,
  };
  log(
    `${result.periods} periods, ${result.staff} staff: simulate ${(result.simulateMs / 1000).toFixed(2)} s + write ${(result.writeMs / 1000).toFixed(2)} s`,
  );
  writeFileSync(out, JSON.stringify(result));
} finally {
  clearInterval(sampler);
  await rt.close();
  rmSync(work, { recursive: true, force: true });
}
