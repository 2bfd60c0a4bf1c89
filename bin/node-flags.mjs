// The `medcomm` command's Node and V8 settings, of two kinds (issue 17):
// - start-up flags, which size the heap before any code runs: on bin/medcomm.mjs's shebang line, which
//   `npx medcomm` runs by, and on `npm start`'s `node …` line (test/unit/cli/node-flags.test.ts keeps the
//   two equal); the bench's children run with them too (bench/run.ts), so it measures the command as it runs;
// - RUNTIME_V8_FLAGS, which bin/medcomm.mjs sets as it starts, however it was started.
import { readFileSync } from 'node:fs';

/**
 * A command is short and runs much code only a few times: V8 optimised ~1,500 functions of a demo year,
 * ~3 s of the second core compiling beside the database and the file thread. At 4× its default execution
 * budget before a function is considered (67,584), only the hot ones are: npm start ~0.4 s faster (10 runs
 * on a quiet 2-core machine). Process-wide: the workers' code too.
 */
export const RUNTIME_V8_FLAGS = ['--interrupt-budget=270336'];

/** The flags on bin/medcomm.mjs's shebang line (`#!/usr/bin/env -S node FLAGS`). */
export function shebangFlags() {
  const line = readFileSync(new URL('./medcomm.mjs', import.meta.url), 'utf8').split('\n', 1)[0] ?? '';
  return line.split(/\s+/).filter((word) => word.startsWith('--'));
}
