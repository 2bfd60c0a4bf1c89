/**
 * A correction's memory and time at a scale (issue 12): imports the scale's year, runs and completes its
 * January, then corrects January with a few workload rows changed — the corrected files as the API's job
 * gets them from the upload store (every file of the dataset, `uploaded`) — and has finance approve it.
 * Prints, for the correction and its approval, the wall time, Node CPU, and the process's memory: the RSS
 * after a full GC before the step, the peak RSS and heap during it, and the process's high-water mark.
 * The correction and the approval are what the RunApiJob Lambda (3,008 MB, 900 s) runs.
 *
 * `node --expose-gc bin/run-ts.mjs bench/correction.ts --scale city [--max-old-space MB]`: the script runs
 * itself again in a child process with `--expose-gc` (and `--max-old-space-size`) so its GC and heap are
 * what is measured. Everything is in memory (DynamoDB Local in memory): nothing is left behind.
 */
import { spawnSync } from 'node:child_process';
import { MemorySampler } from './lib/measure.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';

const MB = 1024 * 1024;

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
  return Object.fromEntries(
    Object.entries({ ...files, 'workload.csv': workload }).map(([name, text]) => [name, Buffer.from(text)]),
  );
}

const scale = parseScale(argValue('--scale'));

if (process.argv.includes('--child')) {
  const [
    { importDataset },
    { runCycleToEnd },
    { startCorrection, decideCorrection },
    { recomputePeriod },
    demo,
    decode,
    local,
  ] = await Promise.all([
    import('../shared/app/import-service.js'),
    import('../shared/app/year-runner.js'),
    import('../shared/app/correction-service.js'),
    import('../functions/recompute-period.js'),
    import('../shared/demo/index.js'),
    import('../shared/dataset/decode.js'),
    import('../shared/local/runtime.js'),
  ]);
  const log = (line: string) => process.stderr.write(`  [${scale}] ${line}\n`);
  const gc = (globalThis as { gc?: () => void }).gc;
  // The files as bytes, the corrected ones made at once: the generated text is not kept (a Lambda holds
  // the corrected files it read, not the import's).
  const month = '2026-01';
  let files: Record<string, Buffer> | undefined;
  let corrected: Record<string, Buffer> | undefined;
  {
    const generated = demo.generateCounty(SCALES[scale]) as Record<string, string>;
    corrected = correctionFiles(generated, month, 5);
    files = Object.fromEntries(Object.entries(generated).map(([n, t]) => [n, Buffer.from(t)]));
  }
  const rt = await local.openLocalRuntime({ inMemory: true });
  const memory = new MemorySampler().start(20);
  /** Runs a step after a full GC: its wall, Node CPU, and the RSS before and at its peak. */
  const measured = async <T>(name: string, fn: () => Promise<T>) => {
    gc?.();
    gc?.();
    const before = process.memoryUsage();
    memory.begin();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const value = await fn();
    const wallMs = Math.round(performance.now() - started);
    const used = process.cpuUsage(cpu);
    const peaks = memory.peaks();
    const figures = {
      step: name,
      wallMs,
      cpuMs: Math.round((used.user + used.system) / 1000),
      rssBeforeMb: Math.round(before.rss / MB),
      heapBeforeMb: Math.round(before.heapUsed / MB),
      rssPeakMb: Math.round(peaks.rssMb),
      heapPeakMb: Math.round(peaks.heapUsedMb),
      externalPeakMb: Math.round(peaks.externalMb),
    };
    log(JSON.stringify(figures));
    return { figures, value };
  };
  try {
    const imported = await measured('import', () =>
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
    const cycle = await measured(`monthly ${month}`, () =>
      runCycleToEnd(rt.repos, rt.workflows, {
        kind: 'monthly',
        period: month,
        communityId,
        by: BENCH_USERS.office,
        approver: BENCH_USERS.finance,
      }),
    );
    const correction = await measured(`correction ${month}`, () =>
      startCorrection(rt.repos, recomputePeriod, {
        communityId,
        kind: 'monthly',
        period: month,
        source: { files: corrected!, uploaded: true },
        by: BENCH_USERS.office,
        reason: 'bench',
        key: 'bench-correction',
      }),
    );
    const approval = await measured('approval', () =>
      decideCorrection(rt.repos, {
        communityId,
        kind: 'monthly',
        period: month,
        by: BENCH_USERS.finance,
        approve: true,
      }),
    );
    process.stdout.write(
      `${JSON.stringify({
        scale,
        difference: correction.value.totals.difference,
        people: correction.value.totals.people,
        postedTo: approval.value.postedTo,
        steps: [imported.figures, cycle.figures, correction.figures, approval.figures],
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      })}\n`,
    );
  } finally {
    memory.stop();
    await rt.close();
  }
} else {
  const maxOldSpace = argValue('--max-old-space');
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      ...(maxOldSpace ? [`--max-old-space-size=${maxOldSpace}`] : []),
      'bin/run-ts.mjs',
      'bench/correction.ts',
      '--scale',
      scale,
      '--child',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`the bench's process ended with ${run.status ?? run.signal}`);
  process.stdout.write(run.stdout);
}
