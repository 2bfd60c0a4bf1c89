/**
 * A correction's memory and time at a scale (issue 12): imports the scale's year, runs and completes its
 * January, then corrects January with a few workload rows changed and has finance approve it.
 *
 * The correction and the approval are what the RunApiJob Lambda (3,008 MB, 900 s) runs, and they run here
 * as it runs them: in a process of their own (`--steps`) against the DynamoDB Local the preparing process
 * opened, holding none of its files, caches or leftovers; the corrected files are put in an upload folder
 * and read back inside the measured step with the import staging's reader (workload.csv in memory the parse
 * worker shares, as RunApiJob reads S3). Each step prints its wall time, Node CPU, the RSS after a full GC
 * before it, its own RSS high-water mark (VmHWM, reset at its start: every thread, nothing missed between
 * samples), the peak heap (sampled), the longest event-loop block (the job runner heartbeats every 15 s
 * and is taken for dead after 120 s silent), and each phase's high-water mark and longest block.
 *
 * `node bin/run-ts.mjs bench/correction.ts --scale city [--max-old-space MB] [--semi-space MB]`: the script
 * runs itself in child processes with `--expose-gc` and those V8 sizes, so their GC and heap are what is
 * measured. DynamoDB Local runs in memory; the upload folder is removed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySampler } from './lib/measure.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';

const MB = 1024 * 1024;

/** The process's RSS high-water mark in MB (Linux VmHWM: threads included, never missed between samples). */
function highWaterMb(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a new high-water mark at the current RSS (Linux ≥ 4.0: `5` to clear_refs). */
function resetHighWater(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // elsewhere the mark stays the process's: the figures then say so (highWater ≥ every step's)
  }
}

/**
 * The event loop's blocks: a 10 ms timer whose late ticks are the blocks (a block is counted to the phase it
 * began in; the step's longest is the largest of them). A job runner heartbeats from this loop every 15 s.
 */
class BlockWatch {
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** The phase going on at the last tick, and the longest block seen in each. */
  private at = '';
  readonly max = new Map<string, number>();

  constructor(private readonly current: () => string) {}

  start(): void {
    this.last = performance.now();
    this.at = '';
    this.timer = setInterval(() => this.tick(), 10);
    this.timer.unref(); // a step that throws leaves no timer holding the process
  }

  /** Stops after one more tick, so a block the step ended with is counted. */
  async stop(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.tick();
    clearInterval(this.timer);
    return Math.max(0, ...this.max.values());
  }

  private tick(): void {
    const now = performance.now();
    const block = Math.max(0, now - this.last - 10);
    // A block before the first tick began in the phase the step opened with.
    const at = this.at || this.current();
    this.max.set(at, Math.max(this.max.get(at) ?? 0, block));
    this.last = now;
    this.at = this.current();
  }
}

/**
 * A step's phases, each with its own RSS high-water mark: `enter(name)` closes the phase going on and opens
 * the next (the bench calls it from wrappers around the store's methods).
 */
class Phases {
  private current: { name: string; started: number } | undefined;
  readonly done: { phase: string; ms: number; rssHighMb?: number }[] = [];
  /** Set while a phase runs code that calls the store's methods itself (the recompute's handlers). */
  held = false;

  name(): string {
    return this.current?.name ?? '';
  }

  enter(name: string): void {
    if (this.held || this.current?.name === name) return;
    this.close();
    resetHighWater();
    this.current = { name, started: performance.now() };
  }

  close(): void {
    const current = this.current;
    if (!current) return;
    const highMb = highWaterMb();
    this.done.push({
      phase: current.name,
      ms: Math.round(performance.now() - current.started),
      ...(highMb === undefined ? {} : { rssHighMb: highMb }),
    });
    this.current = undefined;
  }
}

/** Calls `before()` each time `target[method]` is called (a bench's view into a step, nothing changed). */
function onCall<T extends object>(target: T, method: keyof T & string, before: () => void): void {
  const original = target[method] as unknown as (...args: unknown[]) => unknown;
  (target as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
    before();
    return original.apply(this, args);
  };
}

/**
 * The dataset's files with `count` people's workload points of `month` raised by 7 (the first rows of the
 * month in workload.csv): a correction of a few rows, every file as the office brings it.
 */
function correctionFiles(files: Record<string, string>, month: string, count: number) {
  let changed = 0;
  const workload = files['workload.csv']!.split('\r\n')
    .map((line) => {
      if (changed >= count || !line.startsWith(`${month},`)) return line;
      changed++;
      const cells = line.split(',');
      cells[2] = String(Number(cells[2]) + 7);
      return cells.join(',');
    })
    .join('\r\n');
  return { ...files, 'workload.csv': workload };
}

const scale = parseScale(argValue('--scale'));
const MONTH = '2026-01';
const log = (line: string) => process.stderr.write(`  [${scale}] ${line}\n`);
const gc = (globalThis as { gc?: () => void }).gc;
/**
 * V8 flags of the bench's processes: its GC exposed, and `--max-old-space` / `--semi-space` (MB) when given —
 * Lambda's Node runtime is said to start with old space = memory − memory/10 and semi-space = memory/20
 * (2,708 and 150 MB for RunApiJob's 3,008 MB; not verified here).
 */
const maxOldSpace = argValue('--max-old-space');
const semiSpace = argValue('--semi-space');
const nodeFlags = [
  '--expose-gc',
  ...(maxOldSpace ? [`--max-old-space-size=${maxOldSpace}`] : []),
  ...(semiSpace ? [`--max-semi-space-size=${semiSpace}`] : []),
];

/**
 * Runs a step after a full GC: its wall, Node CPU, the RSS before it, its own RSS high-water mark, the peak
 * heap (sampled), the longest event-loop block, and with `phases` each phase's high-water and block.
 */
async function measured<T>(
  memory: MemorySampler,
  name: string,
  fn: () => Promise<T>,
  phases?: Phases,
): Promise<{ figures: Record<string, unknown>; value: T }> {
  gc?.();
  gc?.();
  const before = process.memoryUsage();
  memory.begin();
  resetHighWater();
  const blocks = new BlockWatch(() => phases?.name() || name);
  blocks.start();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const wallMs = Math.round(performance.now() - started);
  const used = process.cpuUsage(cpu);
  const highMb = highWaterMb();
  phases?.close();
  const maxBlockMs = await blocks.stop();
  const peaks = memory.peaks();
  const figures = {
    step: name,
    wallMs,
    cpuMs: Math.round((used.user + used.system) / 1000),
    rssBeforeMb: Math.round(before.rss / MB),
    heapBeforeMb: Math.round(before.heapUsed / MB),
    // The phases each reset the mark: the step's is the highest of theirs.
    rssHighMb:
      highMb === undefined ? null : Math.max(highMb, ...(phases?.done ?? []).map((p) => p.rssHighMb ?? 0)),
    rssPeakSampledMb: Math.round(peaks.rssMb),
    heapPeakMb: Math.round(peaks.heapUsedMb),
    externalPeakMb: Math.round(peaks.externalMb),
    maxBlockMs: Math.round(maxBlockMs),
    ...(phases
      ? {
          phases: phases.done.map((p) => ({ ...p, maxBlockMs: Math.round(blocks.max.get(p.phase) ?? 0) })),
        }
      : {}),
  };
  log(JSON.stringify(figures));
  return { figures, value };
}

if (process.argv.includes('--steps')) {
  // The correction and its approval in a process of their own, as a RunApiJob Lambda runs each: against
  // the database the preparing process opened, with none of its files, caches or leftovers.
  const endpoint = argValue('--endpoint')!;
  const upload = argValue('--upload')!;
  const communityId = argValue('--community')!;
  const [{ startCorrection, decideCorrection }, { recomputePeriod }, local, staging] = await Promise.all([
    import('../shared/app/correction-service.js'),
    import('../functions/recompute-period.js'),
    import('../shared/local/runtime.js'),
    import('../shared/local/import-staging.js'),
  ]);
  const opened = await local.openLocalStore({ endpoint });
  const memory = new MemorySampler().start(20);
  let phases: Phases | undefined;
  const phase = (name: string) => () => phases?.enter(name);
  // The phases of a correction and an approval, seen from the store's methods they call first.
  onCall(opened.repos.leases, 'acquire', phase('lease and checks'));
  onCall(opened.repos.datasets, 'month', phase('window read'));
  onCall(opened.repos.datasets, 'writeWindowVersion', phase('version write'));
  onCall(opened.repos.results, 'payLines', phase('differences'));
  onCall(opened.repos.results, 'institutions', phase('lock update and record'));
  onCall(opened.repos.audit, 'append', phase('lock update and record'));
  const recompute: typeof recomputePeriod = async (ref, ids) => {
    phases?.enter('recompute');
    if (phases) phases.held = true;
    try {
      await recomputePeriod(ref, ids);
    } finally {
      if (phases) phases.held = false;
    }
  };
  try {
    phases = new Phases();
    const correction = await measured(
      memory,
      `correction ${MONTH}`,
      async () => {
        phases?.enter('upload read and parse');
        // As RunApiJob reads an upload (shared/api/correction-jobs.ts, functions/run-api-job.ts).
        const uploaded = await staging.folderImportStaging(upload).read(upload);
        return startCorrection(opened.repos, recompute, {
          communityId,
          kind: 'monthly',
          period: MONTH,
          source: { files: uploaded, uploaded: true },
          by: BENCH_USERS.office,
          reason: 'bench',
          key: 'bench-correction',
        });
      },
      phases,
    );
    phases = new Phases();
    const approval = await measured(
      memory,
      'approval',
      () =>
        decideCorrection(opened.repos, {
          communityId,
          kind: 'monthly',
          period: MONTH,
          by: BENCH_USERS.finance,
          approve: true,
        }),
      phases,
    );
    process.stdout.write(
      `${JSON.stringify({
        difference: correction.value.totals.difference,
        people: correction.value.totals.people,
        postedTo: approval.value.postedTo,
        steps: [correction.figures, approval.figures],
      })}\n`,
    );
  } finally {
    memory.stop();
    await opened.close();
  }
} else if (process.argv.includes('--child')) {
  const [{ importDataset }, { runCycleToEnd }, demo, decode, local] = await Promise.all([
    import('../shared/app/import-service.js'),
    import('../shared/app/year-runner.js'),
    import('../shared/demo/index.js'),
    import('../shared/dataset/decode.js'),
    import('../shared/local/runtime.js'),
  ]);
  // The import's files as bytes; the corrected ones go to an upload folder at once, read back by the
  // correction's process as the job reads an upload (the generated text is not kept).
  const upload = mkdtempSync(join(tmpdir(), 'medcomm-bench-correction-'));
  let files: Record<string, Buffer> | undefined;
  {
    const generated = demo.generateCounty(SCALES[scale]) as Record<string, string>;
    for (const [name, text] of Object.entries(correctionFiles(generated, MONTH, 5)))
      writeFileSync(join(upload, name), text);
    files = Object.fromEntries(Object.entries(generated).map(([n, t]) => [n, Buffer.from(t)]));
  }
  const rt = await local.openLocalRuntime({ inMemory: true });
  const memory = new MemorySampler().start(20);
  try {
    const imported = await measured(memory, 'import', () =>
      importDataset(
        rt.repos,
        { files: files! },
        BENCH_USERS.office,
        undefined,
        {},
        {
          maxFileBytes: decode.UPLOAD_MAX_FILE_BYTES,
        },
      ),
    );
    files = undefined;
    const { communityId } = imported.value.pointer;
    const cycle = await measured(memory, `monthly ${MONTH}`, () =>
      runCycleToEnd(rt.repos, rt.workflows, {
        kind: 'monthly',
        period: MONTH,
        communityId,
        by: BENCH_USERS.office,
        approver: BENCH_USERS.finance,
      }),
    );
    memory.stop();
    const steps = await new Promise<string>((resolve, reject) => {
      const run = spawn(
        process.execPath,
        [
          ...nodeFlags,
          'bin/run-ts.mjs',
          'bench/correction.ts',
          '--scale',
          scale,
          '--steps',
          '--endpoint',
          rt.endpoint!,
          '--upload',
          upload,
          '--community',
          communityId,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      run.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      run.on('error', reject);
      run.on('close', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`the steps' process ended with ${code}`)),
      );
    });
    const { steps: jobSteps, ...result } = JSON.parse(steps) as { steps: unknown[] };
    process.stdout.write(
      `${JSON.stringify({ scale, ...result, steps: [imported.figures, cycle.figures, ...jobSteps] })}\n`,
    );
  } finally {
    memory.stop();
    await rt.close();
    rmSync(upload, { recursive: true, force: true });
  }
} else {
  const run = spawnSync(
    process.execPath,
    [...nodeFlags, 'bin/run-ts.mjs', 'bench/correction.ts', '--scale', scale, '--child'],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the bench's process ended with ${run.status ?? run.signal}`);
  process.stdout.write(run.stdout);
}
