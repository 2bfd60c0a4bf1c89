#!/usr/bin/env node
/**
 * The CLI's build: esbuild bundles cli/main.ts (and the definitions cache's entry) into plain JavaScript
 * under .build/cli-<hash>/, where <hash> is a content hash of every file under the source folders. The
 * launcher (bin/medcomm.mjs) hashes the sources on each start (~20 ms) and runs the build of that hash,
 * building it first when the sources have changed since — so an edited source never runs stale. A build
 * is written to a folder of its own and renamed into place, so concurrent starts never see half of one.
 *
 * `node bin/build.mjs` (npm's `prepare`, run by `npm ci`) builds and fills the state machine cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Everything the bundle is made of (packages stay external and are resolved from node_modules). */
export const SOURCE_DIRS = ['cli', 'shared', 'functions', 'workflows', 'infra'];
const BUILD_DIR = '.build';
const ENTRIES = {
  main: 'cli/main.ts',
  definitions: 'shared/local/definitions.ts',
  daemon: 'shared/local/daemon-main.ts',
  classArchive: 'shared/local/dynamodb/prepare-class-archive.ts',
  // The import's workload.csv reader thread (shared/dataset/stream.ts finds it through BUILD_GLOBAL).
  parseWorker: 'shared/dataset/parse-worker.ts',
  // The year's XLSX files' thread (shared/reports/file-workers.ts finds it through BUILD_GLOBAL).
  fileWorker: 'shared/reports/file-worker.ts',
  // The thread `demo` and `year` write a year's files on (cli/year-files-thread.ts).
  yearFilesWorker: 'cli/year-files-worker.ts',
};
/**
 * Set by every file of a build to the build's folder: the bundle keeps its modules' source locations for
 * `import.meta.url`, so this is how its code finds the build's own entries (a worker's) rather than sources.
 */
const BUILD_GLOBAL = '__medcommBuildDir';
/** Builds older than this are removed when a new one is made (a running command may still use a recent one). */
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000;

function listFiles(root, dir, out) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A content hash of the source folders and of this build recipe. */
export function sourceHash(root = ROOT) {
  const hash = createHash('sha256');
  const files = SOURCE_DIRS.flatMap((dir) => listFiles(root, dir, [])).sort();
  files.push(relative(root, fileURLToPath(import.meta.url)));
  for (const file of files) {
    hash.update(`${file.split(sep).join('/')}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

export function buildDirOf(hash, root = ROOT) {
  return join(root, BUILD_DIR, `cli-${hash}`);
}

/**
 * The bundle keeps each module's own location for `import.meta.url` (the console folder, the functions
 * folder, the DynamoDB Local jar are found relative to the source file), and template-literal imports of
 * `./x.js` find the bundled `./x.ts`.
 */
function sourceLocationPlugin(outdir) {
  return {
    name: 'medcomm-source-location',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        let text = readFileSync(args.path, 'utf8');
        if (text.includes('import.meta.')) {
          const here = JSON.stringify(relative(outdir, args.path).split(sep).join('/'));
          const replacement = {
            url: `new URL(${here}, import.meta.url).href`,
            dirname: `new URL(".", new URL(${here}, import.meta.url)).pathname.replace(/\\/$/, "")`,
          };
          // Code only: an occurrence inside a string (a banner for another bundle) stays as written.
          text = text.replace(/\bimport\.meta\.(url|dirname)\b/g, (match, name, offset) => {
            const line = text.slice(text.lastIndexOf('\n', offset) + 1, offset);
            const quoted = ["'", '"', '`'].some((q) => line.split(q).length % 2 === 0);
            return quoted || line.trimStart().startsWith('//') || line.trimStart().startsWith('*')
              ? match
              : replacement[name];
          });
        }
        return { contents: text, loader: 'ts', resolveDir: dirname(args.path) };
      });
      build.onEnd((result) => {
        for (const file of result.outputFiles ?? []) {
          const text = file.text;
          if (!text.includes('__glob({')) continue;
          const aliased = text.replace(
            /^(\s*)"(\.\.?\/[^"]+)\.ts": (\(\) => import\("[^"]+"\)),?$/gm,
            (_, indent, path, load) => `${indent}"${path}.ts": ${load},\n${indent}"${path}.js": ${load},`,
          );
          file.contents = Buffer.from(aliased);
        }
      });
    },
  };
}

/** Builds into .build/cli-<hash> (atomically) and returns that folder. */
export async function build(root = ROOT, hash = sourceHash(root)) {
  const target = buildDirOf(hash, root);
  if (existsSync(join(target, 'main.mjs'))) return target;
  const { build: esbuild } = await import('esbuild');
  mkdirSync(join(root, BUILD_DIR), { recursive: true });
  const partial = join(root, BUILD_DIR, `partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const result = await esbuild({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: partial,
      outExtension: { '.js': '.mjs' },
      chunkNames: '[name]-[hash]',
      banner: { js: `globalThis.${BUILD_GLOBAL} ??= new URL('.', import.meta.url).href;` },
      sourcemap: 'linked',
      write: false,
      logLevel: 'silent',
      plugins: [sourceLocationPlugin(partial)],
    });
    for (const file of result.outputFiles) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
    writeFileSync(join(partial, 'build.json'), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
    try {
      renameSync(partial, target);
    } catch (error) {
      // Another process built the same sources first: theirs is as good as ours.
      if (!existsSync(join(target, 'main.mjs'))) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  pruneOldBuilds(root, target);
  return target;
}

function pruneOldBuilds(root, keep) {
  const dir = join(root, BUILD_DIR);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === keep || !(name.startsWith('cli-') || name.startsWith('partial-'))) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** An entry file (main, daemon) of an up-to-date build, building it when the sources changed. */
export async function freshEntry(root = ROOT, name = 'main') {
  const dir = await build(root);
  return join(dir, `${name}.mjs`);
}

/** DynamoDB Local's class archive: a faster cold start when it can be made, the same start when not. */
async function prepareClassArchiveQuietly(dir) {
  const started = performance.now();
  try {
    const { prepareClassArchive } = await import(pathToFileURL(join(dir, 'classArchive.mjs')).href);
    const archive = await prepareClassArchive();
    const took = Math.round(performance.now() - started);
    console.log(
      `medcomm: DynamoDB Local's class archive ${archive.made ? `made in ${took} ms` : 'already made'}`,
    );
  } catch (error) {
    console.warn(
      `medcomm: no class archive for DynamoDB Local (it starts without one): ${error.message ?? error}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // As bin/medcomm.mjs: the machines run Node 20 by the owner's choice, and the SDK's upgrade notice
  // (printed while the class archive is recorded) is noise in `npm ci`.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = performance.now();
  try {
    const dir = await build();
    const { prepareDefinitions } = await import(pathToFileURL(join(dir, 'definitions.mjs')).href);
    const definitions = await prepareDefinitions();
    console.log(
      `medcomm: built ${relative(ROOT, dir)} and the state machine cache ${definitions.hash.slice(0, 12)}` +
        ` (${definitions.cached ? 'already cached' : 'synthesized'}) in ${Math.round(performance.now() - started)} ms`,
    );
    await prepareClassArchiveQuietly(dir);
  } catch (error) {
    // An install must not fail on it: bin/medcomm.mjs builds on first use, or runs the sources through tsx.
    console.warn(`medcomm: the build failed; commands will build on first use or run through tsx.\n${error}`);
    if (process.env.MEDCOMM_BUILD_STRICT === '1') process.exitCode = 1;
  }
}
