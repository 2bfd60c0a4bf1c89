/**
 * State payloads at province scale (Step Functions: a state's input, output and a task's parameters are at
 * most 256 KiB = 262,144 bytes of UTF-8 —
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, and `input`/`output` "Maximum
 * length of 262144" in StateEnteredEventDetails/StateExitedEventDetails of the API reference). Computed from
 * the synthesized definitions: every Map's ItemSelector and every Task's Parameters are resolved against the
 * largest state a province's cycle carries (3,100 institutions, all of them in §9.1 manual mode, cut into
 * batches as PrepareCycle cuts them), so a payload that grows with a cycle shows here before it fails on AWS.
 * The local engine enforces no such limit. PrepareCycle stores the batches' ids in the table and the states
 * carry references to them (issue 12): no state grows with the length of an id, which the dataset schema
 * does not cap — before, 64-character Chinese ids put a province's §9.1 wait over the limit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AslMachine, AslState } from '../../infra/history-events.js';
import { cycleBatches, institutionBatches } from '../../shared/app/institution-batches.js';
import type { PreparedCycle } from '../../shared/schemas/events.js';
import { workflowMachines } from './offline-synth.js';

const PAYLOAD_LIMIT = 262_144;
const PROVINCE = 3_100;
/** SendTaskSuccess takes a token of up to 2,048 characters: the longest a `$$.Task.Token` can add. */
const TASK_TOKEN = 'T'.repeat(2_048);

type Json = unknown;
type State = AslState & { Parameters?: Json; ItemSelector?: Json; ResultPath?: string | null };
let machines: Record<string, AslMachine>;

beforeAll(() => {
  machines = workflowMachines();
}, 120_000);

const bytes = (value: Json) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** `$`, `$.a.b` against the input; `$$.Map.Item.Value` and `$$.Task.Token` from the context. */
function path(expression: string, input: Json, item: Json): Json {
  if (expression === '$$.Map.Item.Value') return item;
  if (expression === '$$.Task.Token') return TASK_TOKEN;
  if (!expression.startsWith('$')) throw new Error(`unsupported path ${expression}`);
  let value = input as Record<string, Json> | undefined;
  for (const key of expression.split('.').slice(1)) value = value?.[key] as Record<string, Json> | undefined;
  return value;
}

/** A payload template (Parameters, ItemSelector) resolved: keys ending in `.$` take their path's value. */
function resolve(template: Json, input: Json, item: Json): Json {
  if (Array.isArray(template)) return template.map((t) => resolve(t, input, item));
  if (template === null || typeof template !== 'object') return template;
  return Object.fromEntries(
    Object.entries(template as Record<string, Json>).map(([key, value]) =>
      key.endsWith('.$')
        ? [key.slice(0, -2), path(String(value), input, item)]
        : [key, resolve(value, input, item)],
    ),
  );
}

/**
 * The largest payload each state of a machine takes or hands on, given the execution's state after its first
 * step (`state`) and, for a Map, the biggest of its items. Keyed by state name (Map iterations' states too).
 */
function payloads(machine: AslMachine, state: Json, out = new Map<string, number>()): Map<string, number> {
  const note = (name: string, value: Json) => out.set(name, Math.max(out.get(name) ?? 0, bytes(value)));
  for (const [name, s] of Object.entries(machine.States) as [string, State][]) {
    note(name, state);
    if (s.Type === 'Task' && s.Parameters !== undefined) note(name, resolve(s.Parameters, state, undefined));
    if (s.Type !== 'Map') continue;
    const items = path(s.ItemsPath ?? '$', state, undefined) as Json[] | undefined;
    for (const item of [...(items ?? [])].sort((a, b) => bytes(b) - bytes(a)).slice(0, 1)) {
      const iteration = s.ItemSelector === undefined ? item : resolve(s.ItemSelector, state, item);
      note(name, iteration);
      payloads((s.ItemProcessor ?? s.Iterator)!, iteration, out);
    }
  }
  return out;
}

/** 3,100 institution ids of one shape, sorted: `code` 18-character codes (统一社会信用代码), `chinese` 64 Chinese
 * characters (192 bytes; the dataset schema caps no id's length, and the import takes these), `huge` 1,000. */
const SHAPES = {
  code: (i: number) => `1234567890${String(i).padStart(8, '0')}`,
  chinese: (i: number) => `${'医'.repeat(58)}${String(i).padStart(6, '0')}`,
  huge: (i: number) => `${'院'.repeat(994)}${String(i).padStart(6, '0')}`,
} as const;
type Shape = keyof typeof SHAPES;
const provinceIds = (shape: Shape) => Array.from({ length: PROVINCE }, (_, i) => SHAPES[shape](i)).sort();

/**
 * A province's cycle after PrepareCycle (its references, as `cycleBatches` makes them for the handler), every
 * institution waiting for its heads' split in a monthly cycle.
 */
function provinceCycle(kind: 'monthly' | 'quarterly' | 'annual', shape: Shape): Json {
  const ids = provinceIds(shape);
  const prepared: PreparedCycle = {
    ...cycleBatches(ids, kind === 'monthly' ? ids : []).refs,
    approved: false,
  };
  const cycle = {
    communityId: 'c'.repeat(64),
    kind,
    period: kind === 'annual' ? '2026' : kind === 'quarterly' ? '2026-Q4' : '2026-12',
    revision: 999,
    datasetVersion: 999_999,
  };
  return { cycle, prepared };
}

const largest = (kind: 'monthly' | 'quarterly' | 'annual', shape: Shape) => {
  const sizes = payloads(machines[kind]!, provinceCycle(kind, shape));
  const [state, size] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  return { state, size, sizes };
};

const KINDS = ['monthly', 'quarterly', 'annual'] as const;

describe('state payloads at province scale (3,100 institutions)', () => {
  it.each(KINDS)(
    '%s: with 64-character Chinese institution ids every state is far under 256 KiB (keys only)',
    (kind) => {
      // A 2,048-character task token, the cycle and 62 (+ 62 §9.1) batch references: a few KB.
      expect(largest(kind, 'chinese').size).toBeLessThan(16 * 1024);
      expect(provinceIds('chinese').join('').length * 3).toBeGreaterThan(PAYLOAD_LIMIT * 2);
    },
  );

  it.each(KINDS)(
    "%s: no state grows with an id's length (18 characters, 64 Chinese, 1,000 Chinese)",
    (kind) => {
      const code = largest(kind, 'code');
      for (const shape of ['chinese', 'huge'] as const)
        expect(largest(kind, shape).sizes).toEqual(code.sizes);
    },
  );

  it('PrepareCycle stores the ids it cut and hands over references to them: every id once, in its batch', () => {
    const ids = provinceIds('chinese');
    const { stored, refs } = cycleBatches(ids, ids.slice(0, 1_000));
    expect(stored.map((s) => s.list)).toEqual(['all', 'secondary']);
    expect(stored[0]!.batches).toEqual(institutionBatches(ids));
    expect(stored[1]!.batches.flat()).toEqual(ids.slice(0, 1_000));
    expect(refs.institutionBatches).toEqual(stored[0]!.batches.map((_, index) => ({ list: 'all', index })));
    expect(refs.secondary?.institutionBatches).toHaveLength(stored[1]!.batches.length);
    expect(JSON.stringify(refs)).not.toContain('医');
    expect(cycleBatches(ids, []).refs).not.toHaveProperty('secondary');
  });

  it("monthly §9.1: each wait stores the Map of waits' own input (the local engine re-enters there), not the state twice", () => {
    const state = provinceCycle('monthly', 'chinese') as Record<string, Json>;
    const waits = machines.monthly!.States.AwaitSecondaryEach as State;
    const iteration = resolve(waits.ItemSelector, state, { list: 'secondary', index: 61 }) as Record<
      string,
      Json
    >;
    expect(Object.keys(iteration).sort()).toEqual(['batch', 'cycle', 'prepared']);
    const wait = (waits.ItemProcessor ?? waits.Iterator)!.States.AwaitSecondary as State;
    const parameters = resolve(wait.Parameters, iteration, undefined) as Record<string, Record<string, Json>>;
    const payload = parameters.Payload ?? parameters;
    expect(payload.stateInput).toEqual(state);
    expect(payload.batch).toEqual({ list: 'secondary', index: 61 });
  });

  it('a Map iteration carries one batch reference, not the cycle: its input does not grow with the institutions', () => {
    const iteration = (institutions: number) => {
      const ids = Array.from({ length: institutions }, (_, i) => `I${String(i).padStart(17, '0')}`);
      const state = { cycle: {}, prepared: { ...cycleBatches(ids, []).refs, approved: false } };
      return payloads(machines.quarterly!, state).get('ScoreQuarter')!;
    };
    // A reference grows only with the digits of its index: a province ten times as large still takes ~50 bytes.
    expect(iteration(10 * PROVINCE) - iteration(400)).toBeLessThanOrEqual(3);
    expect(iteration(10 * PROVINCE)).toBeLessThan(128);
  });
});
