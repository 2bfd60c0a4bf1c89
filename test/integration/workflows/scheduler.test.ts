/**
 * The scheduled starter on a real DynamoDB Local with Step Functions mocked (DOMAIN.md §7 "no empty
 * month"): a due month whose data is incomplete is never started — the starter records that it waits and
 * tries again the next day — and starts as soon as the data is there.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../functions/start-scheduled-cycle.js';
import { yearOverview } from '../../../shared/api/cycle-views.js';
import { importDataset } from '../../../shared/app/import-service.js';
import { executionName } from '../../../shared/app/sfn-port.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { keys } from '../../../shared/store/keys.js';
import { openTestRuntime, tinyAs } from '../../reliability/helpers.js';

const sfn = mockClient(SFNClient);
let rt: LocalRuntime;
const c = 'scheduled';

beforeAll(async () => {
  rt = await openTestRuntime();
  process.env.STATE_MACHINE_MONTHLY = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Monthly';
  process.env.STATE_MACHINE_QUARTERLY = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Quarterly';
  process.env.STATE_MACHINE_ANNUAL = 'arn:aws:states:cn-north-1:111122223333:stateMachine:Annual';
  process.env.AWS_REGION = 'cn-north-1';
}, 120_000);

afterAll(async () => {
  await rt?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

/** `day` February 2026, 02:00 in Shanghai (18:00 UTC the day before), when the schedule fires: January is due. */
const onThe = (day: number) => vi.setSystemTime(new Date(Date.UTC(2026, 1, day - 1, 18)));

describe('the scheduled monthly start', () => {
  it('waits, day after day, while an institution has no rows, and starts once it has', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const withoutT01 = tinyAs(c);
    withoutT01['workload.csv'] = (withoutT01['workload.csv'] as string)
      .split('\n')
      .filter((line) => !line.startsWith('2026-01,T01-'))
      .join('\n');
    await importDataset(rt.repos, { files: withoutT01 }, 'office1');

    onThe(5);
    const first = await handler({ kind: 'monthly', communityId: c });
    expect(first).toMatchObject({ period: '2026-01', status: 'waiting_for_data', attempts: 1 });
    onThe(6);
    const second = await handler({ kind: 'monthly', communityId: c });
    expect(second).toMatchObject({ status: 'waiting_for_data', attempts: 2 });
    expect(await rt.repos.cycles.get(c, 'monthly', '2026-01')).toBeUndefined();
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    const board = (await yearOverview(rt.repos, c, 2026)).find((v) => v.period === '2026-01')!;
    expect(board.waitingForData?.attempts).toBe(2);
    expect(board.waitingForData?.message).toContain('T01');

    await importDataset(rt.repos, { files: tinyAs(c) }, 'office1');
    onThe(7);
    const third = await handler({ kind: 'monthly', communityId: c });
    expect(third).toMatchObject({ period: '2026-01', status: 'running', created: true });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect((await rt.repos.cycles.get(c, 'monthly', '2026-01'))?.acknowledgedMissing).toBeUndefined();
    expect(await rt.repos.cycles.waiting(c)).toEqual([]);
  }, 60_000);

  // A cycle resumed once whose new execution Step Functions refused: the scheduler's daily restart starts
  // the resume's attempt (not the original one, which exists), and leaves a cycle whose run lease is live.
  it('starts a resumed cycle’s current attempt again, unless a live run lease holds it', async () => {
    const resumed = 'scheduled-resumed';
    vi.useFakeTimers({ toFake: ['Date'] });
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
    const { pointer } = await importDataset(rt.repos, { files: tinyAs(resumed) }, 'office1');
    onThe(7);
    const { cycle } = await rt.repos.cycles.start({
      communityId: resumed,
      kind: 'monthly',
      period: '2026-01',
      by: 'office1',
      datasetVersion: pointer.version,
    });
    await rt.repos.table.update({
      Key: keys.cycle(resumed, 'monthly', '2026-01'),
      UpdateExpression: 'SET attempt = :one',
      ExpressionAttributeValues: { ':one': 1 },
    });
    await handler({ kind: 'monthly', communityId: resumed });
    const names = () => sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names()).toEqual([executionName(cycle, 2)]);
    expect(await rt.repos.cycles.runLease(resumed, 'monthly', '2026-01')).toBeUndefined();

    const now = new Date().toISOString();
    await rt.repos.table.put({
      ...keys.cycleRun(resumed, 'monthly', '2026-01'),
      type: 'CycleRun',
      communityId: resumed,
      kind: 'monthly',
      period: '2026-01',
      revision: 1,
      attempt: 2,
      holder: 'a-resume-elsewhere',
      by: 'office2',
      pid: 1,
      machine: 'elsewhere|boot',
      startedAt: now,
      heartbeatAt: now,
    });
    await handler({ kind: 'monthly', communityId: resumed });
    expect(names()).toHaveLength(1);
  }, 60_000);
});
