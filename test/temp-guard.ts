/**
 * Vitest globalSetup: the run gets a temp folder of its own (TMPDIR, inherited by every worker and every
 * command a test spawns), and the run fails if anything is left in it at the end — a test or a command
 * that leaves files in the system temp directory is caught here, whichever file it was.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const systemTemp = tmpdir();
  const previous = process.env.TMPDIR;
  const runTemp = mkdtempSync(join(systemTemp, 'medcomm-test-run-'));
  process.env.TMPDIR = runTemp;
  // Tests that spawn TypeScript through tsx: its transform cache would go to the temp directory.
  process.env.TSX_DISABLE_CACHE = '1';
  // Commands the tests spawn start and stop their own database (test/e2e/cli-daemon.test.ts opts in).
  process.env.MEDCOMM_NO_DAEMON ??= '1';
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // Test files have folders of their own inside (test/setup.ts): name what is inside those.
    const left = readdirSync(runTemp).flatMap((name) =>
      name.startsWith('file-') ? readdirSync(join(runTemp, name)).map((inner) => inner) : [name],
    );
    rmSync(runTemp, { recursive: true, force: true });
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0: set the exit code as well.
      process.exitCode = 1;
      throw new Error(
        `the tests left ${left.length} item(s) in the temp directory (removed now): ${left.sort().join(', ')}`,
      );
    }
  };
}
