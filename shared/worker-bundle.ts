/**
 * A worker thread's code bundled in memory from the sources, for runs that have no build (vitest, tsx, the
 * bench): esbuild bundles the entry and its modules once per process (~0.1 s, in esbuild's own process) and
 * the caller runs the text as a script (`new Worker(text, { eval: true })`). The installed CLI runs the
 * workers bin/build.mjs built instead. Used by the import's parse worker and the reports' file workers.
 */
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';

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
  return outputFiles[0]!.text;
}
