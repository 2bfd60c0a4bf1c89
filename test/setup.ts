// Extends `expect` with aws-sdk-client-mock matchers (toHaveReceivedCommandWith, …).
import 'aws-sdk-client-mock-vitest/extend';
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// Each test file gets its own temp folder inside the run's (test/temp-guard.ts). An in-process CDK synth
// without an outdir writes its assembly to a fresh cdk.out* folder there and never removes it: those are
// removed when the file ends; anything else a test leaves stays, and the run's check reports it.
const runTemp = tmpdir();
const fileTemp = mkdtempSync(join(runTemp, 'file-'));
process.env.TMPDIR = fileTemp;
afterAll(() => {
  process.env.TMPDIR = runTemp;
  for (const name of readdirSync(fileTemp))
    if (name.startsWith('cdk.out')) rmSync(join(fileTemp, name), { recursive: true, force: true });
  try {
    rmdirSync(fileTemp);
  } catch {
    // Not empty: left for the run's check to name.
  }
});
