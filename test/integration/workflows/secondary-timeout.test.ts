/**
 * §9.1 manual mode when nobody closes the window: the synthesized monthly definition on the local engine
 * with two of its settings scaled down — the heads' 20 days to 1 second, and the Map of waits to one batch
 * at a time (AWS runs at most 40 of a province's 62 batches at once) — over the tiny dataset with two
 * institutions that wait (two batches, one task token each). The first batch's wait times out and closes
 * the window itself; the second batch, started only then, finds it closed and is answered at once instead
 * of waiting out another timeout; the month pays by the rule split and completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionId, loadHandler } from '../../../functions/registry.js';
import type { ExecutionPort } from '../../../shared/app/cycle-service.js';
import { batchIds } from '../../../shared/app/institution-batches.js';
import { windowStatus } from '../../../shared/app/secondary-service.js';
import {
  type CallbackHandler,
  createLocalEngine,
  type TaskHandler,
} from '../../../shared/local/asl/engine.js';
import { findStateMachine } from '../../../shared/local/asl/extract.js';
import type { AslDefinition, JsonValue } from '../../../shared/local/asl/types.js';
import type { LocalRuntime } from '../../../shared/local/runtime.js';
import { synthesizeWorkflows } from '../../../shared/local/workflows.js';
import { BatchRefTask } from '../../../shared/schemas/events.js';
import { SECONDARY_WAIT, SECONDARY_WAIT_MAP } from '../../../workflows/secondary-states.js';
import { MANUAL_MONTH, openManualMonth, startManualMonth } from './secondary-setup.js';

const { community, period } = MANUAL_MONTH;
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await openManualMonth('secondary-timeout');
}, 120_000);

afterAll(() => rt?.close());

type States = Record<string, Record<string, unknown>>;

/** The synthesized monthly machine with the wait's timeout and the Map of waits' concurrency scaled down. */
async function scaledDownMonthly() {
  const extracted = await synthesizeWorkflows();
  const machine = findStateMachine(extracted, 'MonthlyCycle/StateMachine');
  const definition = structuredClone(machine.definition) as AslDefinition & { States: States };
  const waits = definition.States[SECONDARY_WAIT_MAP]!;
  expect(waits.MaxConcurrency ?? 0).toBe(0);
  waits.MaxConcurrency = 1;
  const wait = (waits.ItemProcessor as { States: States }).States[SECONDARY_WAIT]!;
  expect(wait.TimeoutSeconds).toBe(20 * 24 * 3600);
  wait.TimeoutSeconds = 1;
  const handlers: Record<string, TaskHandler> = {};
  for (const [logicalId, fn] of Object.entries(extracted.functions)) {
    const id = fn.constructPath as FunctionId | undefined;
    if (id && id in FUNCTIONS) handlers[logicalId] = (await loadHandler(id)) as TaskHandler;
  }
  return createLocalEngine({
    definition: { ...machine, definition },
    taskHandlers: handlers,
    retryIntervalOverride: 0,
    name: 'monthly-scaled-down',
  });
}

describe('a manual month nobody closes (§9.1, the 20-day timeout)', () => {
  it('the first batch to time out closes the window; a batch started later is answered at once; the month pays by the rule split', async () => {
    const engine = await scaledDownMonthly();
    const requestSecondary = await loadHandler('RequestSecondary');
    const waitedFor: string[][] = [];
    // As LocalWorkflows answers a wait that finds the window closed; an open one stays parked (no pause here).
    const onWait: CallbackHandler = async (payload, context) => {
      // Each wait carries a reference to its batch (PrepareCycle stored the ids).
      waitedFor.push(await batchIds(rt.repos, BatchRefTask.parse(payload)));
      const answer = (await requestSecondary(payload)) as { closed?: boolean };
      if (answer.closed) context.sendTaskSuccess({ closed: true });
    };
    let execution: ReturnType<typeof engine.startExecution> | undefined;
    const port: ExecutionPort = {
      async start(_kind, input) {
        execution = engine.startExecution(input as unknown as JsonValue, {
          callbackHandlers: { [SECONDARY_WAIT]: onWait },
        });
        await execution.result;
      },
      resume: async () => undefined,
    };
    await startManualMonth(rt, port);

    expect(waitedFor).toEqual([['C01'], ['C02']]);
    // One wait timed out (C01's); C02's found the window closed and was answered without a timeout.
    expect(execution!.stats.caught).toBe(1);
    const status = await windowStatus(rt.repos, { communityId: community, period });
    expect(status.window).toMatchObject({ status: 'closed', closedBy: 'timeout' });
    const ref = { communityId: community, period, revision: 1 };
    expect((await rt.repos.secondary.tokens(ref)).map((t) => t.institutionIds).sort()).toEqual([
      ['C01'],
      ['C02'],
    ]);
    const closes = (await rt.repos.audit.entries(community)).filter((e) => e.action === 'secondary.close');
    expect(closes).toHaveLength(1);

    const cycle = await rt.repos.cycles.get(community, 'monthly', period);
    expect(cycle?.status).toBe('completed');
    // Nobody submitted: every department member is paid the draft's rule split.
    const reward = new Map(
      (
        await rt.repos.results.payLines<{ staffId: string; reward: number }>({ ...ref, kind: 'monthly' })
      ).flatMap((g) => g.lines.map((l) => [l.staffId, l.reward] as const)),
    );
    for (const institutionId of ['C01', 'C02']) {
      const draft = await rt.repos.secondary.draft(ref, institutionId);
      expect(draft?.departments.length).toBe(4);
      for (const d of draft!.departments)
        for (const m of d.members) expect(reward.get(m.staffId)).toBe(m.rule);
    }
  }, 120_000);
});
