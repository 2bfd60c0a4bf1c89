/**
 * PrepareImport's Lambda asset carries the import's parse worker (issue 12): stream.ts's WorkloadWorker
 * starts the file named BUNDLED_PARSE_WORKER beside the bundle, and a bundle without it parses on its own
 * thread — silently, with half the CPU of its 3,008 MB (2 vCPUs). The function is synthesized with its real
 * bundling (local esbuild, offline), and the worker found in its asset folder reads a county's
 * workload.csv through the import's own protocol: the same result and months as on the main thread.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/constructs/handler-function.js';
import type { FileSource } from '../../shared/dataset/parse.js';
import { BUNDLED_PARSE_WORKER, parseDatasetStreamed, parseThread } from '../../shared/dataset/stream.js';
import { generateCounty } from '../../shared/demo/index.js';
import type { WorkloadGroup } from '../../shared/store/datasets.js';

/** Inside the project (cdk.out/ is ignored), never the system temp directory; removed afterwards. */
const outdir = join(import.meta.dirname, '../../cdk.out', `test-parse-worker-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The asset folder of one function synthesized alone, with its real bundling. */
function assetOf(functionId: 'PrepareImport' | 'WriteImportChunk'): string {
  const app = new App({ outdir: join(outdir, functionId) });
  const stack = new Stack(app, 'ParseWorkerBundle', { env: { region: 'cn-north-1' } });
  new HandlerFunction(stack, { functionId });
  const assembly = app.synth({ validateOnSynthesis: false });
  const folders = readdirSync(assembly.directory).filter((name) =>
    existsSync(join(assembly.directory, name, 'index.mjs')),
  );
  expect(folders).toHaveLength(1);
  return join(assembly.directory, folders[0]!);
}

/** Every month the parse hands over: each institution's row texts and file rows. */
function recordingSink() {
  const months: [string, [string, WorkloadGroup][]][] = [];
  return {
    months,
    sink: {
      open: true,
      begin: async () => true,
      month(period: string, workload: Map<string, WorkloadGroup>) {
        months.push([period, [...workload]]);
      },
      pause: async () => undefined,
    },
  };
}

describe('PrepareImport’s bundle and its parse worker', () => {
  let asset: string;
  beforeAll(() => {
    asset = assetOf('PrepareImport');
  }, 120_000);

  it('the worker is beside index.mjs, an ESM bundle of parse-worker.ts the bundle looks for', () => {
    const worker = join(asset, BUNDLED_PARSE_WORKER);
    expect(existsSync(worker)).toBe(true);
    expect(BUNDLED_PARSE_WORKER).toMatch(/\.mjs$/); // ESM whatever package.json is near (none on Lambda)
    const sources = (JSON.parse(readFileSync(`${worker}.map`, 'utf8')).sources as string[]).map((s) =>
      s.replace(/^(\.\.\/)+/, ''),
    );
    expect(sources).toEqual(
      expect.arrayContaining(['shared/dataset/parse-worker.ts', 'shared/dataset/workload-reader.ts']),
    );
    // The function's own bundle names the file it starts, and does not hold the worker's entry.
    expect(readFileSync(join(asset, 'index.mjs'), 'utf8')).toContain(BUNDLED_PARSE_WORKER);
    const own = JSON.parse(readFileSync(join(asset, 'index.mjs.map'), 'utf8')).sources as string[];
    expect(own.some((s) => s.endsWith('shared/dataset/parse-worker.ts'))).toBe(false);
  });

  it('the bundled worker reads a county’s workload.csv as the main thread does', async () => {
    const county = generateCounty({ staff: 300, counties: 1, seed: 3 }) as Record<string, string>;
    const sources = () =>
      new Map<string, FileSource>(
        Object.entries(county).map(([name, text]) => [name, new TextEncoder().encode(text)]),
      );
    const saved = { ...parseThread };
    // Messages from every worker thread this process starts: the bundled worker's must come.
    const seen: string[] = [];
    const started = (worker: Worker) =>
      worker.on('message', (message: { type: string }) => seen.push(message.type));
    process.on('worker', started);
    try {
      parseThread.minBytes = Number.POSITIVE_INFINITY;
      const main = recordingSink();
      const onMain = await parseDatasetStreamed(sources(), main.sink);
      expect(seen).toEqual([]);

      parseThread.minBytes = 0;
      parseThread.worker = pathToFileURL(join(asset, BUNDLED_PARSE_WORKER));
      const bundled = recordingSink();
      const onWorker = await parseDatasetStreamed(sources(), bundled.sink);

      expect(seen[0]).toBe('ready');
      expect(seen.filter((type) => type === 'month')).toHaveLength(12);
      expect(seen).toContain('finished');
      expect(onMain.ok).toBe(true);
      expect(onWorker).toEqual(onMain);
      expect(bundled.months.map(([period]) => period)).toHaveLength(12);
      expect(bundled.months).toEqual(main.months);
    } finally {
      process.off('worker', started);
      Object.assign(parseThread, saved);
      if (!('worker' in saved)) delete parseThread.worker;
    }
  }, 120_000);

  it('only the functions that import carry it', () => {
    expect(existsSync(join(assetOf('WriteImportChunk'), BUNDLED_PARSE_WORKER))).toBe(false);
  }, 120_000);
});
