/**
 * Where a worker thread's code comes from, for the import's parse worker, the reports' file workers and the
 * year's file thread (cli/year-files-thread.ts): the installed CLI runs the workers bin/build.mjs built
 * (`builtWorker`); runs that have no build (vitest, tsx, the bench) bundle the worker in memory from the
 * sources (`bundleWorkerFromSources`): esbuild bundles the entry and its modules once per process (~0.1 s,
 * in esbuild's own process) and the caller runs the text as a script (`new Worker(text, { eval: true })`).
 * `spawnWorker` does both for a worker whose packages stay outside its bundle.
 */
import { existsSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker `file` of the CLI's build (an entry of bin/build.mjs, beside the CLI's bundle), if there is one. */
export function builtWorker(file: string): URL | undefined {
  const build = (globalThis as { __medcommBuildDir?: string }).__medcommBuildDir;
  const built = build ? new URL(`./${file}`, build) : undefined;
  return built && existsSync(fileURLToPath(built)) ? built : undefined;
}

/**
 * A worker thread: the CLI build's `built` file, else — where the caller runs from its sources (`from`,
 * its import.meta.url, ends in .ts) — `entry` (relative to it) bundled in memory, packages by their full
 * path. Undefined elsewhere (a Lambda's bundle has no worker): the caller does the work itself or refuses.
 */
export async function spawnWorker(
  built: string,
  source: { from: string; entry: string },
  options: WorkerOptions = {},
): Promise<Worker | undefined> {
  const file = builtWorker(built);
  if (file) return new Worker(file, options);
  if (!source.from.endsWith('.ts')) return undefined;
  const code = await bundleWorkerFromSources(new URL(source.entry, source.from), {
    packagesByFullPath: true,
  });
  return new Worker(code, { ...options, eval: true });
}

const bundles = new Map<string, Promise<string>>();

export interface WorkerBundleOptions {
  /**
   * Packages left outside the bundle, required by their full path (an evaluated worker resolves bare names
   * from the working directory, not from its source): for workers whose packages are large (exceljs).
   */
  packagesByFullPath?: boolean;
}

export function bundleWorkerFromSources(entry: URL, options: WorkerBundleOptions = {}): Promise<string> {
  const key = `${entry.href}\u0000${options.packagesByFullPath === true}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = build(entry, options);
    bundles.set(key, bundle);
  }
  return bundle;
}

async function build(entry: URL, options: WorkerBundleOptions): Promise<string> {
  const name = 'esbuild'; // not a literal: the bundlers of the CLI and the Lambdas leave it out
  const esbuild = (await import(name)) as typeof import('esbuild');
  const { outputFiles } = await esbuild.build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: options.packagesByFullPath
      ? [
          {
            name: 'packages-by-full-path',
            setup(build) {
              build.onResolve({ filter: /^[^./]/ }, (args) =>
                isBuiltin(args.path)
                  ? { path: args.path, external: true }
                  : { path: createRequire(args.importer).resolve(args.path), external: true },
              );
            },
          },
        ]
      : [],
  });
  // In a function: the text runs as a script, where a module's top-level `var crypto` (an
  // `import * as crypto`) would be a global and collide with Node's own (a getter only).
  return `(() => {\n${outputFiles[0]!.text}\n})();\n`;
}
