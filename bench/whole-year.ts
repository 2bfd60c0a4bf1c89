/**
 * A county's whole year end to end, as `medcomm year --fresh` does it, in a fresh process: load the
 * code, start DynamoDB Local (in memory) and the state machines, import the dataset from a folder, run
 * all 17 cycles with their approvals, write the results, close. The demo data is generated and written
 * to disk before the clock starts; only Node's own start-up (~0.3 s) is outside the figure.
 *
 * Run by bench/run.ts: `node bin/run-ts.mjs bench/whole-year.ts --scale county --out FILE`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCounty, writeDataset } from '../shared/demo/index.js';
import { MemorySampler, type StepRecord, StepRecorder } from './lib/measure.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';

export interface WholeYearResult {
  scale: string;
  phasesMs: { load: number; start: number; import: number; cycles: number; export: number; close: number };
  totalMs: number;
  /** The import and the 17 cycles as one step: units for the cost of a year, memory peaks. */
  year: StepRecord;
  filesWritten: number;
  lifetimeMemory: ReturnType<MemorySampler['lifetimePeaks']>;
  maxRssMb: number;
}

const scale = parseScale(argValue('--scale'));
const out = argValue('--out');
if (!out) throw new Error('--out FILE is required');
const log = (text: string) => process.stderr.write(`  [${scale} whole year] ${text}\n`);

const work = mkdtempSync(join(tmpdir(), 'medcomm-bench-year-'));
const dataDir = join(work, 'dataset');
await writeDataset(dataDir, generateCounty(SCALES[scale]));

const memory = new MemorySampler().start();
const t0 = performance.now();
let mark = t0;
const lap = () => {
  const now = performance.now();
  const ms = Math.round(now - mark);
  mark = now;
  return ms;
};

const [{ openLocalRuntime }, { importDataset }, { runYear }, { writeYearResults }] = await Promise.all([
  import('../shared/local/runtime.js'),
  import('../shared/app/import-service.js'),
  import('../shared/app/year-runner.js'),
  import('../shared/app/results-writer.js'),
]);
const load = lap();
const recorder = new StepRecorder(memory);
const rt = await openLocalRuntime({ inMemory: true, workflows: recorder.workflowOptions() });
const start = lap();
log(
  `loaded in ${(load / 1000).toFixed(1)} s, DynamoDB Local + state machines in ${(start / 1000).toFixed(1)} s`,
);
let phases: Omit<WholeYearResult['phasesMs'], 'load' | 'start' | 'close'> | undefined;
let filesWritten = 0;
let year: StepRecord | undefined;
try {
  const { record } = await recorder.step('whole year', 17, async () => {
    const { pointer } = await importDataset(rt.repos, { dir: dataDir }, BENCH_USERS.office);
    const importMs = lap();
    log(`imported in ${(importMs / 1000).toFixed(1)} s`);
    await runYear(rt.repos, rt.workflows, {
      communityId: pointer.communityId,
      year: pointer.year,
      by: BENCH_USERS.office,
      approver: BENCH_USERS.finance,
      onStep: (step, index, total) => log(`${index + 1}/${total} ${step.kind} ${step.period}`),
    });
    const cyclesMs = lap();
    const written = await writeYearResults(rt.repos, pointer.communityId, pointer.year, join(work, 'out'));
    filesWritten = written.files.length;
    phases = { import: importMs, cycles: cyclesMs, export: lap() };
  });
  year = record;
} finally {
  await rt.close();
  memory.stop();
  rmSync(work, { recursive: true, force: true });
}
const close = lap();
const totalMs = Math.round(performance.now() - t0);
log(`done in ${(totalMs / 1000).toFixed(1)} s`);

const result: WholeYearResult = {
  scale,
  phasesMs: { load, start, ...phases!, close },
  totalMs,
  year: year!,
  filesWritten,
  lifetimeMemory: memory.lifetimePeaks(),
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
