/**
 * One scale of the bench, in its own process (so its memory peaks and the store's process-wide tally
 * are its own): a fresh in-memory DynamoDB Local, then each step once — import; the January monthly
 * cycle; February–December; Q1 with its approval; Q2–Q4; the annual cycle to its review and from the
 * approval to done — each followed by its storage floor on the same DynamoDB Local.
 *
 * Run by bench/run.ts: `node bin/run-ts.mjs bench/scale.ts --scale county --out FILE [--quick]`.
 */
import { writeFileSync } from 'node:fs';
import { decideReview, startCycle } from '../shared/app/cycle-service.js';
import { importDataset } from '../shared/app/import-service.js';
import { runCycleToEnd } from '../shared/app/year-runner.js';
import { SHARED_FILE_BYTES, UPLOAD_MAX_FILE_BYTES } from '../shared/dataset/decode.js';
import { prepareParseWorker } from '../shared/dataset/stream.js';
import { type DatasetFiles, generateCounty } from '../shared/demo/index.js';
import { monthsOfYear, quarterKey } from '../shared/domain/periods.js';
import { openLocalRuntime } from '../shared/local/runtime.js';
import type { CycleKind } from '../shared/store/keys.js';
import { ItemCapture, measureFloor, measureReadFloor } from './lib/floor.js';
import { MemorySampler, type StepRecord, StepRecorder } from './lib/measure.js';
import { PartitionTally, predictAws } from './lib/predict.js';
import { REIMPORT_STEP } from './lib/report.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';
import { warmUp } from './warm-up.js';

export interface ScaleResult {
  scale: string;
  quick: boolean;
  staff: number;
  institutions: number;
  generateMs: number;
  /** openLocalRuntime: DynamoDB Local start, table, in-process synth of the state machines. */
  startMs: number;
  /** Throwaway writes that warm DynamoDB Local's JIT before the first step (not part of any step). */
  warmUpMs: number;
  steps: StepRecord[];
  /** Peaks over the whole process (generation and start included). */
  lifetimeMemory: ReturnType<MemorySampler['lifetimePeaks']>;
  /** The kernel's high-water mark of this process's resident set. */
  maxRssMb: number;
}

/** Throwaway writes before the first step: about a county import's worth (415 items, 6.2 MB), twice. */
const WARM_UP = { items: 800, bytes: 15_000 };

const scale = parseScale(argValue('--scale'));
const quick = process.argv.includes('--quick');
const out = argValue('--out');
if (!out) throw new Error('--out FILE is required');

const log = (text: string) => process.stderr.write(`  [${scale}] ${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const memory = new MemorySampler().start();
const recorder = new StepRecorder(memory, (s) =>
  log(
    `${s.name.padEnd(26)} ${seconds(s.wallMs).padStart(8)}  ${s.store.itemsWritten} items written; CPU node ${seconds(s.cpuMs.node)}, ` +
      `DynamoDB ${s.cpuMs.dynamoDb === null ? '?' : seconds(s.cpuMs.dynamoDb)}, GC ${seconds(s.gcMs)}; RSS ≤ ${s.memory.rssMb} MB`,
  ),
);

let started = performance.now();
/** The scale's files as the CLI reads them from a folder: bytes, which the import decodes (workload.csv
 * slice by slice, on the parse worker from 4 MB); the generated text is not kept. */
function generate() {
  // read-dir.ts reads a large workload.csv into shared memory, which the parse worker reads without a copy.
  const bytesOf = (name: string, text: string): Uint8Array => {
    const bytes = Buffer.from(text);
    if (name !== 'workload.csv' || bytes.length < SHARED_FILE_BYTES) return bytes;
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    return shared;
  };
  const generated: DatasetFiles = generateCounty(SCALES[scale]);
  const count = (text: string) => text.split('\r\n').filter((l) => l.trim()).length - 1;
  return {
    files: Object.fromEntries(Object.entries(generated).map(([name, text]) => [name, bytesOf(name, text)])),
    staff: count(generated['staff.csv']),
    institutions: count(generated['institutions.csv']),
  };
}
const generated = generate();
const generateMs = Math.round(performance.now() - started);
const { staff, institutions } = generated;
// Dropped after the imports, as the CLI drops the files it read.
let files: Record<string, Uint8Array> | undefined = generated.files;
generated.files = {};
log(`generated ${staff} staff in ${institutions} institutions in ${seconds(generateMs)}`);

started = performance.now();
const rt = await openLocalRuntime({ inMemory: true, workflows: recorder.workflowOptions() });
const startMs = Math.round(performance.now() - started);
log(`DynamoDB Local + state machines ready in ${seconds(startMs)}`);

const endpoint = rt.endpoint;
if (!endpoint) throw new Error('the runtime has no endpoint');

// Each floor runs on a DynamoDB Local whose JIT the steps before it have warmed; without this the first
// step (the import) alone would pay the JVM's warm-up and be compared with a warm floor. The whole-year
// run keeps the cold start in its figure. The warm-up makes every kind of request the steps make, with
// text like theirs (warm-up.ts): the floor's own writes left the import to compile the rest.
started = performance.now();
await warmUp(endpoint, WARM_UP.items, WARM_UP.bytes);
const warmUpMs = Math.round(performance.now() - started);
log(
  `DynamoDB Local warmed with ${WARM_UP.items} throwaway pages and every kind of request in ${seconds(warmUpMs)}`,
);

/** Capacity units per partition key of each step, for the AWS prediction (lib/predict.ts). */
const partitions = new PartitionTally().attach(rt.repos.table.doc);
/** The items each step puts and reads, written and read again for its floors (lib/floor.ts). */
const captured = new ItemCapture().attach(rt.repos.table.doc);

/**
 * Runs a step, then its storage floors on the same DynamoDB Local (not part of the step's wall time) —
 * writes, then reads — and predicts its time on AWS from the units each partition key took.
 */
async function step<T>(name: string, cycles: number, fn: () => Promise<T>): Promise<T> {
  partitions.take();
  captured.take();
  const { record, value } = await recorder.step(name, cycles, fn);
  record.aws = predictAws(record, partitions.take());
  const { itemsWritten, bytesWritten, itemsRead, bytesRead } = record.store;
  const { written, read } = captured.take();
  record.floorMs = (await measureFloor(endpoint!, itemsWritten, bytesWritten, written)).ms;
  record.readFloorMs = (await measureReadFloor(endpoint!, itemsRead, bytesRead, read)).ms;
  // The first floors' `x`s, for comparison with figures measured against them (lib/floor.ts).
  record.plainFloorMs = (await measureFloor(endpoint!, itemsWritten, bytesWritten, 'plain')).ms;
  record.plainReadFloorMs = (await measureReadFloor(endpoint!, itemsRead, bytesRead, 'plain')).ms;
  return value;
}

// The parse worker's code bundled now, as the CLI's install builds it: the step measures the import, not esbuild.
await prepareParseWorker();

try {
  const imported = await step('import', 0, () =>
    // A province's files reach AWS as uploads through S3, which are not held to an HTTP body's 50 MB.
    importDataset(
      rt.repos,
      { files: files! },
      BENCH_USERS.office,
      undefined,
      {},
      {
        ...(scale === 'province' ? { maxFileBytes: UPLOAD_MAX_FILE_BYTES } : {}),
      },
    ),
  );
  // The office's next monthly import, with nothing changed: only the new version's parts and indexes.
  // A province runs its import and one monthly cycle only (issue 12).
  const { pointer } =
    scale === 'province'
      ? (imported as Awaited<ReturnType<typeof importDataset>>)
      : await step(REIMPORT_STEP, 0, () => importDataset(rt.repos, { files: files! }, BENCH_USERS.office));
  files = undefined;
  const { communityId, year } = pointer;
  const cycle = (kind: CycleKind, period: string) =>
    runCycleToEnd(rt.repos, rt.workflows, {
      kind,
      period,
      communityId,
      by: BENCH_USERS.office,
      approver: BENCH_USERS.finance,
    });
  /** Runs cycles one after the other, keeping each one's wall, Node CPU and GC time. */
  const timed = async (periods: string[], kind: CycleKind) => {
    const each: Record<string, { wallMs: number; nodeCpuMs: number; gcMs: number }> = {};
    for (const period of periods) {
      const t = performance.now();
      const before = recorder.usage();
      await cycle(kind, period);
      const after = recorder.usage();
      each[period] = {
        wallMs: Math.round(performance.now() - t),
        nodeCpuMs: Math.round(after.cpuMs - before.cpuMs),
        gcMs: Math.round(after.gcMs - before.gcMs),
      };
    }
    return each;
  };

  const months = monthsOfYear(year);
  const quarters = ([1, 2, 3, 4] as const).map((q) => quarterKey(year, q));
  const laterMonths = quick ? months.slice(1, 3) : months.slice(1);
  await step(`monthly ${months[0]}`, 1, () => cycle('monthly', months[0]!));
  /** The rest of the year: every scale but a province (its import and January only). */
  const restOfYear = async () => {
    const each = await step(`monthly ${laterMonths[0]}…${laterMonths.at(-1)}`, laterMonths.length, () =>
      timed(laterMonths, 'monthly'),
    );
    recorder.steps.at(-1)!.detail = { byPeriod: each };
    await step(`quarterly ${quarters[0]}`, 1, () => cycle('quarterly', quarters[0]!));
    if (!quick) {
      const later = quarters.slice(1);
      const eachQ = await step(`quarterly ${later[0]}…${later.at(-1)}`, later.length, () =>
        timed(later, 'quarterly'),
      );
      recorder.steps.at(-1)!.detail = { byPeriod: eachQ };
      const period = String(year);
      await step('annual → review', 1, async () => {
        await startCycle(rt.repos, rt.workflows, {
          communityId,
          kind: 'annual',
          period,
          by: BENCH_USERS.office,
        });
        const record = await rt.repos.cycles.get(communityId, 'annual', period);
        if (record?.status !== 'awaiting_review')
          throw new Error(`annual ${period} is ${record?.status}, expected awaiting_review`);
      });
      await step('annual approve → done', 0, async () => {
        await decideReview(rt.repos, rt.workflows, {
          communityId,
          kind: 'annual',
          period,
          by: BENCH_USERS.finance,
          approve: true,
        });
        const record = await rt.repos.cycles.get(communityId, 'annual', period);
        if (record?.status !== 'completed')
          throw new Error(`annual ${period} is ${record?.status}, expected completed`);
      });
    }
  };
  if (scale !== 'province') await restOfYear();
} finally {
  await rt.close();
  memory.stop();
}

const result: ScaleResult = {
  scale,
  quick,
  staff,
  institutions,
  generateMs,
  startMs,
  warmUpMs,
  steps: recorder.steps,
  lifetimeMemory: memory.lifetimePeaks(),
  maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
};
writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
