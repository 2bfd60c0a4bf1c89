/**
 * The state machine definitions the local engine runs, synthesized from the CDK app once and cached by a
 * hash of what the synthesis reads: the TypeScript files that infra/app.ts imports (followed through
 * every relative import) and the CDK packages' versions. A command that runs a cycle reads the cached
 * template (a few ms) instead of loading CDK and synthesizing (~2 s of CPU); a change to any of those
 * sources gives a new hash and one fresh synthesis. `npm ci` fills the cache (bin/build.mjs).
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root (this file is shared/local/definitions.ts). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYNTH_ENTRY = 'infra/app.ts';
const CDK_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag'];
/** The workflow stack's name (infra/app.ts STACK_NAMES.workflows), kept here so a cache hit loads no CDK. */
const WORKFLOW_STACK = 'MedcommWorkflows';

export function defaultCacheDir(root = PROJECT_ROOT): string {
  return join(root, '.build', 'synth');
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every project file the entry imports, directly or not, sorted (relative imports only; packages are versioned). */
export function importClosure(entry: string, root = PROJECT_ROOT): string[] {
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    seen.add(file);
    if (!/\.[cm]?ts$/.test(file)) continue;
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), match[1]!);
      pending.push(target.replace(/\.([cm]?)js$/, '.$1ts'));
      // A specifier may name a real .js/.json file as well.
      if (!/\.[cm]?js$/.test(target)) continue;
      pending.push(target);
    }
  }
  return [...seen].map((file) => relative(root, file)).sort();
}

/** The cache key: the synthesis's sources and the CDK packages' versions. */
export function definitionsHash(root = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  for (const file of importClosure(SYNTH_ENTRY, root)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  const require = createRequire(join(root, 'package.json'));
  for (const name of CDK_PACKAGES) {
    let version = 'absent';
    try {
      version = (
        JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }
      ).version;
    } catch {
      // Not installed: the synthesis itself will say so.
    }
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Synthesizes the CDK app in-process (no bundling, no validation: the handlers run in-process) and returns
 * the workflow stack's template. The cloud assembly goes to a temp folder that is removed at once.
 */
export async function synthesizeWorkflowTemplate(): Promise<unknown> {
  const { buildApp, STACK_NAMES } = await import('../../infra/app.js');
  const outdir = mkdtempSync(join(tmpdir(), 'medcomm-synth-'));
  // NodejsFunction looks for the lock file from the working directory up; a command may run anywhere.
  // Building and synthesizing are synchronous, so nothing else runs while the directory is changed.
  const cwd = process.cwd();
  const moved = cwd !== PROJECT_ROOT && tryChdir(PROJECT_ROOT);
  try {
    const { app } = buildApp({
      nag: false,
      outdir,
      // CDK's built-in CloudFormation validation costs seconds and checks nothing the local run needs.
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    if (STACK_NAMES.workflows !== WORKFLOW_STACK)
      throw new Error(`workflow stack renamed: ${STACK_NAMES.workflows}`);
    return app.synth({ validateOnSynthesis: false }).getStackByName(STACK_NAMES.workflows).template;
  } finally {
    if (moved) process.chdir(cwd);
    rmSync(outdir, { recursive: true, force: true });
  }
}

function tryChdir(dir: string): boolean {
  try {
    process.chdir(dir);
    return true;
  } catch {
    // Worker threads cannot change directory; the synthesis then needs the project as working directory.
    return false;
  }
}

export interface DefinitionsOptions {
  /** Where cached templates are kept; default .build/synth under the project. */
  cacheDir?: string;
  /** Skip the cache: synthesize (and refresh the cache entry). */
  fresh?: boolean;
}

/** The workflow stack's template: from the cache when its sources are unchanged, else synthesized and cached. */
export async function workflowTemplate(options: DefinitionsOptions = {}): Promise<{
  template: unknown;
  hash: string;
  cached: boolean;
}> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const hash = definitionsHash();
  const file = join(cacheDir, `${hash}.json`);
  if (!options.fresh) {
    try {
      return { template: JSON.parse(readFileSync(file, 'utf8')), hash, cached: true };
    } catch {
      // Not cached yet (or unreadable): synthesize.
    }
  }
  const template = await synthesizeWorkflowTemplate();
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a concurrent reader sees the whole file or none.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(template));
    renameSync(partial, file);
    pruneCache(cacheDir, hash);
  } catch {
    // A read-only install still works, synthesizing each time.
  }
  return { template, hash, cached: false };
}

/** Keeps the newest few entries: sources change all day during development. */
function pruneCache(cacheDir: string, keep: string): void {
  const entries = readdirSync(cacheDir)
    .filter((name) => name.endsWith('.json') && !name.startsWith(keep))
    .map((name) => ({ name, at: statMtime(join(cacheDir, name)) }))
    .sort((a, b) => b.at - a.at);
  for (const { name } of entries.slice(8)) rmSync(join(cacheDir, name), { force: true });
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * `node bin/build.mjs` calls this after building, so the first cycle after `npm ci` synthesizes nothing —
 * and validates nothing: the local state machines built here record their definitions as validated
 * (shared/local/asl/engine.ts; ~1 s of CPU at the start of every cycle command otherwise).
 */
export async function prepareDefinitions(): Promise<{ hash: string; cached: boolean }> {
  const { hash, cached } = await workflowTemplate();
  const { LocalWorkflows } = await import('./workflows.js');
  await LocalWorkflows.create();
  return { hash, cached };
}
