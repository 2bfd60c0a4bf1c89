/**
 * State payloads at province scale (Step Functions: a state's input, output and a task's parameters are at
 * most 256 KiB = 262,144 bytes of UTF-8 —
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, and `input`/`output` "Maximum
 * length of 262144" in StateEnteredEventDetails/StateExitedEventDetails of the API reference). Computed from
 * the synthesized definitions: every Map's ItemSelector and every Task's Parameters are resolved against the
 * largest state a province's cycle carries (3,100 institutions, all of them in §9.1 manual mode, cut into
 * batches as PrepareCycle cuts them), so a payload that grows with a cycle shows here before it fails on AWS.
 * The local engine enforces no such limit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, STACK_NAMES } from '../../infra/app.js';
import { type AslMachine, type AslState, definitionOf } from '../../infra/history-events.js';
import { institutionBatches } from '../../shared/app/institution-batches.js';
import type { PreparedCycle } from '../../shared/schemas/events.js';

const PAYLOAD_LIMIT = 262_144;
const PROVINCE = 3_100;
/** SendTaskSuccess takes a token of up to 2,048 characters: the longest a `$$.Task.Token` can add. */
const TASK_TOKEN = 'T'.repeat(2_048);

type Json = unknown;
type State = AslState & { Parameters?: Json; ItemSelector?: Json; ResultPath?: string | null };
let machines: Record<string, AslMachine>;

beforeAll(() => {
  const { app } = buildApp({
    nag: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const template = app.synth({ validateOnSynthesis: false }).getStackByName(STACK_NAMES.workflows)
    .template as {
    Resources: Record<
      string,
      { Type: string; Properties: { DefinitionString: unknown; StateMachineName?: string } }
    >;
  };
  machines = {};
  for (const r of Object.values(template.Resources))
    if (r.Type === 'AWS::StepFunctions::StateMachine')
      machines[String(r.Properties.StateMachineName).split('-').pop()!] = definitionOf(r);
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

/** A province's cycle whose every institution id is `idBytes` of UTF-8, all waiting for their heads' split. */
function provinceCycle(kind: 'monthly' | 'quarterly' | 'annual', idBytes: number): Json {
  const ids = Array.from({ length: PROVINCE }, (_, i) =>
    String(i).padStart(5, '0').padEnd(idBytes, 'x'),
  ).sort();
  const prepared: PreparedCycle = {
    institutionBatches: institutionBatches(ids),
    approved: false,
    ...(kind === 'monthly' ? { secondary: { institutionBatches: institutionBatches(ids) } } : {}),
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

const largest = (kind: 'monthly' | 'quarterly' | 'annual', idBytes: number) => {
  const sizes = payloads(machines[kind]!, provinceCycle(kind, idBytes));
  const [state, size] = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  return { state, size };
};

describe('state payloads at province scale (3,100 institutions)', () => {
  it.each(['monthly', 'quarterly', 'annual'] as const)(
    '%s: with 18-character institution codes (统一社会信用代码) every state stays under 256 KiB',
    (kind) => {
      expect(largest(kind, 18).size).toBeLessThan(PAYLOAD_LIMIT);
    },
  );

  it('monthly §9.1 wait carries the whole state (its stateInput) besides its batch: ids up to 38 bytes fit, and it is where a longer id fails first', () => {
    // 38 bytes: a 38-character code, or 12 Chinese characters; the dataset schema does not cap an id's length.
    expect(largest('monthly', 38).size).toBeLessThan(PAYLOAD_LIMIT);
    const over = largest('monthly', 40);
    expect(over.size).toBeGreaterThan(PAYLOAD_LIMIT);
    expect(over.state).toBe('AwaitSecondary');
  });

  it('quarterly and annual: the finance review carries the whole state once, so ids up to 80 bytes fit', () => {
    for (const kind of ['quarterly', 'annual'] as const) {
      expect(largest(kind, 80).size).toBeLessThan(PAYLOAD_LIMIT);
      expect(largest(kind, 90)).toMatchObject({ state: 'AwaitFinanceReview' });
      expect(largest(kind, 90).size).toBeGreaterThan(PAYLOAD_LIMIT);
    }
  });

  it('a Map iteration carries one batch, not the cycle: its input does not grow with the institutions', () => {
    const iteration = (institutions: number) => {
      const ids = Array.from({ length: institutions }, (_, i) => `I${String(i).padStart(17, '0')}`);
      const state = { cycle: {}, prepared: { institutionBatches: institutionBatches(ids), approved: false } };
      return payloads(machines.quarterly!, state).get('ScoreQuarter')!;
    };
    // Batches are at most 50 institutions: a province's iteration is no bigger than a city's of 400.
    expect(iteration(PROVINCE)).toBeLessThanOrEqual(iteration(400));
    expect(iteration(PROVINCE)).toBeLessThan(4_096);
  });
});
