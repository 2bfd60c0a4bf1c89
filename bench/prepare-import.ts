/**
 * PrepareImport's memory at a scale (issue 12): the import workflow's first step as its Lambda runs it —
 * the uploaded files read from the staging, workload.csv parsed as a stream, the version's items staged
 * in chunks for the Map — in a process of its own, so its peak is what the Lambda's memory size must hold
 * (functions/registry.ts, PrepareImport.memoryMb).
 *
 * `node bin/run-ts.mjs bench/prepare-import.ts --scale province [--max-old-space MB]`: generates the
 * scale's files into a temporary folder (removed at the end), then runs PrepareImport in a child process
 * holding nothing else, against an in-memory DynamoDB Local (another process), and prints its figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareImport, resetImportStaging } from '../shared/app/import-workflow.js';
import { generateCounty } from '../shared/demo/index.js';
import { folderImportStaging } from '../shared/local/import-staging.js';
import { openLocalStore } from '../shared/local/runtime.js';
import { MemorySampler, mainThreadCpuMs } from './lib/measure.js';
import { importComputeMs } from './lib/predict.js';
import { argValue, BENCH_USERS, parseScale, SCALES } from './lib/scales.js';

const MB = 1024 * 1024;
const child = argValue('--child');

if (child) {
  // The step alone: what a PrepareImport Lambda holds (its files, the parse, the chunks being staged).
  const store = await openLocalStore({ inMemory: true });
  resetImportStaging();
  const memory = new MemorySampler().start(20);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  try {
    const prepared = await prepareImport(store.repos, folderImportStaging(join(child, 'chunks')), {
      id: 'bench-prepare',
      prefix: join(child, 'upload'),
      by: BENCH_USERS.office,
    });
    const used = process.cpuUsage(cpu);
    const mainAfter = mainThreadCpuMs();
    const cpuMs = Math.round((used.user + used.system) / 1000);
    // Of it, the main thread's; the rest is the parse worker's and V8's helpers' (bench/README, AWS model).
    const nodeMainThread = main === null || mainAfter === null ? null : mainAfter - main;
    const peaks = memory.lifetimePeaks();
    process.stdout.write(
      `${JSON.stringify({
        refused: prepared.refused,
        wallMs: Math.round(performance.now() - started),
        cpuMs,
        mainThreadCpuMs: nodeMainThread,
        // Its CPU on the deployed function (3,008 MB, two threads): bench/lib/predict.ts importComputeMs.
        awsComputeMs: Math.round(importComputeMs({ node: cpuMs, nodeMainThread })),
        chunks: prepared.chunks?.length,
        items: prepared.total,
        rssBeforeMb: Math.round(before / MB),
        rssPeakMb: Math.round(peaks.rssMb),
        heapPeakMb: Math.round(peaks.heapUsedMb),
        externalPeakMb: Math.round(peaks.externalMb),
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      })}\n`,
    );
  } finally {
    memory.stop();
    await store.close();
  }
} else {
  const scale = parseScale(argValue('--scale'));
  const maxOldSpace = argValue('--max-old-space');
  const root = await mkdtemp(join(tmpdir(), 'medcomm-prepare-'));
  try {
    const files = generateCounty(SCALES[scale]) as Record<string, string>;
    await mkdir(join(root, 'upload'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'upload', name), text);
    const bytes = Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    process.stderr.write(
      `  [${scale}] ${Math.round(bytes / MB)} MB of files; PrepareImport in its own process…\n`,
    );
    const run = spawnSync(
      process.execPath,
      [
        ...(maxOldSpace ? [`--max-old-space-size=${maxOldSpace}`] : []),
        'bin/run-ts.mjs',
        'bench/prepare-import.ts',
        '--child',
        root,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`PrepareImport's process ended with ${run.status ?? run.signal}`);
    process.stdout.write(
      `${JSON.stringify({ scale, filesMb: Math.round(bytes / MB), ...JSON.parse(run.stdout) })}\n`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
