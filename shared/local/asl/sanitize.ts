/**
 * Makes a synthesized definition safe for aws-local-stepfunctions 3.0.0 without changing what it means on
 * AWS. Two kinds of work:
 * - rewrite constructs the engine runs wrongly into equivalent ones it runs right;
 * - reject, naming the state, what the engine would silently ignore or only fail on mid-run. A workflow
 *   that passes here behaves locally as on AWS, or the difference is listed in the error.
 */

import { type AslDefinition, type AslState, childDefinitions, isPlainObject, listStates } from './types.js';

export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError' as const;
  constructor(readonly problems: ReadonlyArray<{ stateName?: string; problem: string }>) {
    super(
      `The state machine uses features the local engine cannot run faithfully:\n${problems
        .map((p) => `  - ${p.stateName ? `state "${p.stateName}": ` : ''}${p.problem}`)
        .join('\n')}\nStay on JSONPath, inline Map and the fields Step Functions and the local engine share.`,
    );
  }
}

export interface SanitizeResult {
  definition: AslDefinition;
  /** One line per rewrite, e.g. `state "Has?": IsPresent:false → Not IsPresent:true`. */
  rewrites: string[];
}

const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/** Ordering comparisons that JavaScript would coerce (`null < 5` is true); AWS compares only like types. */
const TYPE_GUARDED: Record<string, (typeof TYPE_TESTS)[number]> = {};
for (const op of ['LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals']) {
  for (const suffix of ['', 'Path']) {
    TYPE_GUARDED[`Numeric${op}${suffix}`] = 'IsNumeric';
    TYPE_GUARDED[`String${op}${suffix}`] = 'IsString';
    TYPE_GUARDED[`Timestamp${op}${suffix}`] = 'IsTimestamp';
  }
}
TYPE_GUARDED.StringMatches = 'IsString';
TYPE_GUARDED.TimestampEquals = 'IsTimestamp';
TYPE_GUARDED.TimestampEqualsPath = 'IsTimestamp';

/** Fields the engine ignores or cannot run, with what to use instead. */
const REJECTED_FIELDS: Record<string, string> = {
  QueryLanguage: 'JSONata is not run by the local engine (it ignores QueryLanguage); use JSONPath',
  Arguments: 'Arguments is JSONata-only; use Parameters',
  Output: 'Output is JSONata-only; use ResultSelector/ResultPath/OutputPath',
  Assign: 'variables (Assign) fail at run time in the local engine; pass data through the state input',
  Items: 'Items is JSONata-only; use ItemsPath',
  ItemReader: 'Distributed Map (ItemReader) is ignored by the local engine; use an inline Map over keys',
  ItemBatcher: 'Distributed Map (ItemBatcher) is ignored by the local engine; use an inline Map',
  ResultWriter: 'Distributed Map (ResultWriter) is ignored by the local engine; use an inline Map',
  Label: 'Distributed Map (Label) is ignored by the local engine; use an inline Map',
  ToleratedFailurePercentage: 'tolerated failures are ignored by the local engine',
  ToleratedFailurePercentagePath: 'tolerated failures are ignored by the local engine',
  ToleratedFailureCount: 'tolerated failures are ignored by the local engine',
  ToleratedFailureCountPath: 'tolerated failures are ignored by the local engine',
  HeartbeatSeconds: 'heartbeats are ignored by the local engine; use TimeoutSeconds',
  HeartbeatSecondsPath: 'heartbeats are ignored by the local engine; use TimeoutSeconds',
  Credentials: 'cross-account Credentials are ignored by the local engine',
};

/**
 * Returns a rewritten copy of `definition` (the input is not changed), or throws
 * UnsupportedDefinitionError listing every problem found.
 */
export function sanitizeDefinition(definition: AslDefinition): SanitizeResult {
  const copy = structuredClone(definition);
  const rewrites: string[] = [];
  const problems: Array<{ stateName?: string; problem: string }> = [];

  checkDefinitionLevel(copy, undefined, problems);
  for (const { name, state } of listStates(copy)) {
    for (const child of childDefinitions(state)) checkDefinitionLevel(child, name, problems);
    checkState(name, state, problems);
    rewriteState(name, state, rewrites);
  }
  if (problems.length > 0) throw new UnsupportedDefinitionError(problems);
  return { definition: copy, rewrites };
}

function checkDefinitionLevel(
  def: AslDefinition,
  owner: string | undefined,
  problems: Array<{ stateName?: string; problem: string }>,
) {
  if (def.QueryLanguage !== undefined && def.QueryLanguage !== 'JSONPath') {
    problems.push({
      ...(owner ? { stateName: owner } : {}),
      problem: `QueryLanguage ${String(def.QueryLanguage)} is not run by the local engine; use JSONPath`,
    });
  }
  const mode = isPlainObject(def.ProcessorConfig) ? def.ProcessorConfig.Mode : undefined;
  if (mode === 'DISTRIBUTED') {
    problems.push({
      ...(owner ? { stateName: owner } : {}),
      problem: 'Distributed Map (ProcessorConfig Mode DISTRIBUTED) runs as an inline Map locally; use INLINE',
    });
  }
}

function checkState(name: string, state: AslState, problems: Array<{ stateName?: string; problem: string }>) {
  for (const [field, why] of Object.entries(REJECTED_FIELDS)) {
    if (!(field in state)) continue;
    if (field === 'QueryLanguage' && state.QueryLanguage === 'JSONPath') continue;
    problems.push({ stateName: name, problem: `${field}: ${why}` });
  }
  if (state.Type === 'Choice') {
    for (const rule of (state.Choices as unknown[] | undefined) ?? []) {
      if (containsKey(rule, 'Condition')) {
        problems.push({
          stateName: name,
          problem: 'Condition is JSONata-only; use Variable with a comparison',
        });
      }
      if (containsKey(rule, 'Assign')) {
        problems.push({
          stateName: name,
          problem: 'Assign (variables) fails at run time in the local engine',
        });
      }
    }
  }
  for (const catcher of (state.Catch as Array<Record<string, unknown>> | undefined) ?? []) {
    for (const field of ['Assign', 'Output']) {
      if (field in catcher)
        problems.push({ stateName: name, problem: `Catch ${field} is not run by the local engine` });
    }
  }
  if (state.Type === 'Fail') {
    for (const field of ['ErrorPath', 'CausePath']) {
      const value = state[field];
      if (typeof value === 'string' && !value.startsWith('$')) {
        problems.push({
          stateName: name,
          problem: `${field} with an intrinsic function fails in the local engine; compute the text in an earlier state and point ${field} at it`,
        });
      }
    }
  }
}

function rewriteState(name: string, state: AslState, rewrites: string[]) {
  // The engine writes `ResultPath: "$"` into a key literally named "$"; on AWS it means "replace the
  // whole input", which is also what an absent ResultPath means.
  if (state.ResultPath === '$') {
    delete state.ResultPath;
    rewrites.push(`state "${name}": ResultPath "$" → (absent)`);
  }
  for (const catcher of (state.Catch as Array<Record<string, unknown>> | undefined) ?? []) {
    if (catcher.ResultPath === '$') {
      delete catcher.ResultPath;
      rewrites.push(`state "${name}": Catch ResultPath "$" → (absent)`);
    }
  }
  // The engine tests `if (Result)`, so a Pass state with Result false/0/""/null passes its input on
  // instead. A constant Parameters gives the same effective input and the engine runs it right.
  if (state.Type === 'Pass' && 'Result' in state && !state.Result) {
    state.Parameters = state.Result as never;
    delete state.Result;
    rewrites.push(`state "${name}": Pass Result ${JSON.stringify(state.Parameters)} → Parameters`);
  }
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    state.Choices = state.Choices.map((rule) => rewriteRule(rule as Record<string, unknown>, name, rewrites));
  }
}

/** Rewrites one choice rule (recursively through And/Or/Not), keeping `Next` where it was. */
function rewriteRule(
  rule: Record<string, unknown>,
  stateName: string,
  rewrites: string[],
): Record<string, unknown> {
  const { Next, ...test } = rule;
  const withNext = (r: Record<string, unknown>) => (Next === undefined ? r : { ...r, Next });
  if (Array.isArray(test.And)) {
    return withNext({
      ...test,
      And: test.And.map((r) => rewriteRule(r as Record<string, unknown>, stateName, rewrites)),
    });
  }
  if (Array.isArray(test.Or)) {
    return withNext({
      ...test,
      Or: test.Or.map((r) => rewriteRule(r as Record<string, unknown>, stateName, rewrites)),
    });
  }
  if (isPlainObject(test.Not)) return withNext({ ...test, Not: rewriteRule(test.Not, stateName, rewrites) });

  for (const op of TYPE_TESTS) {
    // The engine evaluates `Is*: false` as `false && …`, so it never matches. CDK's
    // Condition.isNotPresent() (and isNotNull, isNotString, …) emit exactly that.
    if (test[op] === false) {
      rewrites.push(`state "${stateName}": ${op}:false on ${String(test.Variable)} → Not ${op}:true`);
      return withNext({ Not: { Variable: test.Variable, [op]: true } });
    }
  }
  for (const [op, guard] of Object.entries(TYPE_GUARDED)) {
    if (op in test) {
      rewrites.push(`state "${stateName}": ${op} on ${String(test.Variable)} guarded by ${guard}`);
      return withNext({ And: [{ Variable: test.Variable, [guard]: true }, test] });
    }
  }
  return rule;
}

function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => containsKey(v, key));
  if (!isPlainObject(value)) return false;
  return key in value || Object.values(value).some((v) => containsKey(v, key));
}
