/**
 * A process that dies mid-cycle leaves the cycle `running` with part of its pay written. Resuming it
 * runs the same revision again: the result is identical to the golden month and no one is paid twice.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { monthlyResults } from '../../../shared/app/cycle-results.js';
import { resumeInterruptedCycle, startCycle } from '../../../shared/app/cycle-service.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { MAP_CONCURRENCY } from '../../../shared/app/institution-batches.js';
import { type LocalRuntime, openLocalRuntime } from '../../../shared/local/runtime.js';
import { monthlyPaysheetJson } from '../../../shared/results/contract.js';
import { keys } from '../../../shared/store/keys.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

const fixture = join(import.meta.dirname, '../../fixtures/tiny');
const tableName = `recovery-${Date.now().toString(36)}`;
const opened: LocalRuntime[] = [];

afterAll(async () => {
  for (const rt of opened) await rt.close();
});

describe('a cycle interrupted by a crash', () => {
  it('resumes to the exact golden result with every pay page written once', {
    timeout: 180_000,
  }, async () => {
    let calls = 0;
    const never = new Promise<never>(() => {});
    // The "crashing" process: the third institution's step never returns, as if the process died there.
    const crashing = await openLocalRuntime({
      endpoint: dynamoEndpoint(),
      tableName,
      workflows: {
        retryIntervalMs: 0,
        // One iteration per institution, as on AWS: the third institution's step is the one that hangs.
        batchSpread: MAP_CONCURRENCY,
        wrapHandler: (id, handler) => (event) =>
          id === 'ComputeMonthlyPay' && ++calls === 3 ? never : handler(event),
      },
    });
    opened.push(crashing);
    await importDataset(crashing.repos, { dir: join(fixture, 'dataset') }, 'office1');
    void startCycle(crashing.repos, crashing.workflows, {
      communityId: 'county7',
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });
    await expect.poll(() => calls, { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
    const stuck = await crashing.repos.cycles.get('county7', 'monthly', '2026-01');
    expect(stuck?.status).toBe('running');
    // The "crashing process" is this test's own, which cannot die: its run lease (held while a run goes, so
    // no one resumes a live run) is made what a dead process leaves, a process of this machine that is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await crashing.repos.table.update({
      Key: keys.cycleRun('county7', 'monthly', '2026-01'),
      UpdateExpression: 'SET pid = :gone',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':gone': gone },
    });

    // A later process: `medcomm run monthly 2026-01 --resume`.
    const later = await openLocalRuntime({
      endpoint: dynamoEndpoint(),
      tableName,
      workflows: { retryIntervalMs: 0, batchSpread: MAP_CONCURRENCY },
    });
    opened.push(later);
    const again = await startCycle(later.repos, later.workflows, {
      communityId: 'county7',
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });
    expect(again.created).toBe(false);
    await resumeInterruptedCycle(later.repos, later.workflows, {
      communityId: 'county7',
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
    });

    const done = await later.repos.cycles.get('county7', 'monthly', '2026-01');
    expect(done?.status).toBe('completed');
    expect(done?.revision).toBe(1);
    const expected = JSON.parse(
      await readFile(join(fixture, 'expected/monthly/2026-01/paysheet.json'), 'utf8'),
    );
    expect(monthlyPaysheetJson('2026-01', await monthlyResults(later.repos, done!))).toEqual(expected);
    const pages = await later.repos.results.payLines<{ staffId: string }>(done!);
    const staff = pages.flatMap((p) => p.lines.map((l) => l.staffId));
    expect(new Set(staff).size).toBe(staff.length);
  });
});
