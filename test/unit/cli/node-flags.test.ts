/**
 * `medcomm` runs with the same Node settings however it is started: its shebang's flags (`npx medcomm`)
 * are `npm start`'s too, and the bench's children get them (bin/node-flags.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_V8_FLAGS, shebangFlags } from '../../../bin/node-flags.mjs';

const root = join(import.meta.dirname, '../../..');
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

const megabytes = (flags: string[], name: string) =>
  Number(flags.find((flag) => flag.startsWith(`--${name}=`))?.split('=')[1]);

describe("the command's Node settings", () => {
  it('npm start runs the demo with the flags of the shebang line, no more and no fewer', () => {
    const start = scripts.start!.split(/\s+/);
    expect(start[0]).toBe('node');
    const script = start.indexOf('bin/medcomm.mjs');
    expect(start.slice(script)).toEqual(['bin/medcomm.mjs', 'demo']);
    expect(start.slice(1, script)).toEqual(shebangFlags());
  });

  it('caps the heap, and configures an old generation below the cap (no full collections under it)', () => {
    const flags = shebangFlags();
    expect(megabytes(flags, 'max-old-space-size')).toBe(1024);
    const initial = megabytes(flags, 'initial-old-space-size');
    expect(initial).toBeGreaterThan(0);
    expect(initial).toBeLessThan(megabytes(flags, 'max-old-space-size') / 4);
  });

  it('sets at run time only flags V8 takes at run time (none that sizes the heap)', () => {
    expect(RUNTIME_V8_FLAGS.length).toBeGreaterThan(0);
    for (const flag of RUNTIME_V8_FLAGS) expect(flag).not.toMatch(/space-size|heap-size/);
  });
});
