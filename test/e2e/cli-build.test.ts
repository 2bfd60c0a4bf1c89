/**
 * bin/medcomm.mjs runs JavaScript built from the sources, and never a build of other sources: on a copy
 * of the project, an edited source is rebuilt before the command runs, an unchanged tree reuses its
 * build, and a source that no longer compiles fails the command instead of running the old build.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
let copy: string;

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'medcomm-build-'));
  for (const entry of [
    'bin',
    'cli',
    'shared',
    'functions',
    'workflows',
    'infra',
    'package.json',
    'tsconfig.json',
  ])
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
});
afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

async function medcomm(...args: string[]) {
  const result = await exec(process.execPath, [join(copy, 'bin/medcomm.mjs'), ...args], {
    cwd: copy,
    env: { ...process.env, MEDCOMM_DEBUG_LAUNCH: '1', MEDCOMM_TSX: '' },
  }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  const ran = /medcomm: running (\S+)/.exec(result.stderr)?.[1];
  return { ...result, code: 'code' in result ? result.code : 0, ran };
}

const edit = (file: string, from: string, to: string) => {
  const path = join(copy, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
};

describe('the built CLI', () => {
  it('rebuilds when a source changes, reuses an unchanged build, and never runs a stale one', {
    timeout: 180_000,
  }, async () => {
    const first = await medcomm('--help');
    expect(first.code).toBe(0);
    expect(first.ran).toMatch(/\.build\/cli-[0-9a-f]+\/main\.mjs$/);
    expect(first.stdout).toContain('medcomm');

    const again = await medcomm('--help');
    expect(again.ran).toBe(first.ran);
    // The import's parse worker is an entry of the build, which every file of it can find: the CLI never
    // starts the worker from TypeScript through tsx (stream.ts's WorkloadWorker.spawn).
    const built = dirname(first.ran!);
    expect(existsSync(join(built, 'parseWorker.mjs'))).toBe(true);
    expect(readFileSync(join(built, 'main.mjs'), 'utf8')).toMatch(/^globalThis\.__medcommBuildDir \?\?=/);

    // A source the command line imports changes: the next start runs a new build that has the change.
    edit(
      'cli/main.ts',
      "new Command('medcomm')\n  .description('",
      "new Command('medcomm')\n  .description('BUILD-CHECK ",
    );
    const edited = await medcomm('--help');
    expect(edited.code).toBe(0);
    expect(edited.ran).not.toBe(first.ran);
    expect(edited.stdout).toContain('BUILD-CHECK');

    // A change deep in shared/ counts as well (the domain's money formatting, used by every table).
    edit('shared/domain/money.ts', '\n', '\n// a comment changes the hash too\n');
    const deep = await medcomm('--help');
    expect(deep.ran).not.toBe(edited.ran);

    // A source that no longer compiles: the command fails; the previous build does not run in its place.
    edit('cli/format.ts', '\n', '\nconst = ;\n');
    const broken = await medcomm('--help');
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).not.toContain('BUILD-CHECK');
    expect(broken.stderr).toContain('format.ts');
  });
});
