/**
 * Engine wiring that Step Functions does for us on AWS and aws-local-stepfunctions does not: a task token
 * per callback, a context object with more than the input, and task timeouts as AWS has them. Each rewrite
 * keeps the definition's meaning; it only changes where the engine finds a value.
 */

import { describeTasks, type ExtractedTask } from './extract.js';
import { UnsupportedDefinitionError } from './sanitize.js';
import { type AslDefinition, type AslState, isPlainObject, listStates } from './types.js';

/** Stands in for `$$.Task.Token` in the definition; each invocation swaps in its own token. */
export const TASK_TOKEN_PLACEHOLDER = '__local_sfn_task_token__';

/**
 * Longest timer Node keeps (2^31-1 ms ≈ 24.8 days); a longer setTimeout fires at once, which would turn
 * AWS's "no timeout" (or a year-long review wait) into an immediate States.Timeout.
 */
export const MAX_TIMEOUT_SECONDS = Math.floor(2_147_483_647 / 1000);

export interface PreparedDefinition {
  definition: AslDefinition;
  tasks: Record<string, ExtractedTask>;
  /** Task states whose Resource ends in `.waitForTaskToken`. */
  callbackStates: Set<string>;
  topLevelStates: Set<string>;
  /** Every state name (nested included) by type, for Wait and Retry overrides. */
  waitStates: string[];
  retryStates: string[];
  rewrites: string[];
}

export interface PrepareOptions {
  /** TimeoutSeconds for Task states that set none; AWS has no state timeout (only the function's own). */
  defaultTaskTimeoutSeconds?: number;
}

/** Rewrites a sanitized definition for the engine (returns a copy). */
export function prepareDefinition(
  sanitized: AslDefinition,
  options: PrepareOptions = {},
): PreparedDefinition {
  const definition = structuredClone(sanitized);
  const rewrites: string[] = [];
  const problems: Array<{ stateName?: string; problem: string }> = [];
  const callbackStates = new Set<string>();
  const waitStates: string[] = [];
  const retryStates: string[] = [];
  const defaultTimeout = Math.min(
    options.defaultTaskTimeoutSeconds ?? MAX_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
  );

  // The machine-wide timeout runs on the same Node timer: beyond ~24.8 days it would fire at once.
  if (typeof definition.TimeoutSeconds === 'number' && definition.TimeoutSeconds > MAX_TIMEOUT_SECONDS) {
    rewrites.push(
      `execution TimeoutSeconds ${definition.TimeoutSeconds} → ${MAX_TIMEOUT_SECONDS} (timer limit)`,
    );
    definition.TimeoutSeconds = MAX_TIMEOUT_SECONDS;
  }

  for (const { name, state } of listStates(definition)) {
    if (state.Type === 'Wait') waitStates.push(name);
    if (Array.isArray(state.Retry)) retryStates.push(name);
    const isCallback = state.Type === 'Task' && String(state.Resource).endsWith('.waitForTaskToken');
    if (isCallback) callbackStates.add(name);
    rewriteContextReferences(name, state, isCallback, rewrites, problems);

    if (state.Type === 'Task') {
      if (typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMEOUT_SECONDS) {
        rewrites.push(
          `state "${name}": TimeoutSeconds ${state.TimeoutSeconds} → ${MAX_TIMEOUT_SECONDS} (timer limit)`,
        );
        state.TimeoutSeconds = MAX_TIMEOUT_SECONDS;
      } else if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        // The engine's default is 60 s; a callback waiting for a reviewer must not die after a minute.
        state.TimeoutSeconds = defaultTimeout;
        rewrites.push(`state "${name}": TimeoutSeconds (absent) → ${defaultTimeout}`);
      }
    }
  }
  if (problems.length > 0) throw new UnsupportedDefinitionError(problems);
  return {
    definition,
    tasks: describeTasks(definition),
    callbackStates,
    topLevelStates: new Set(Object.keys(definition.States)),
    waitStates,
    retryStates,
    rewrites,
  };
}

const EXECUTION_INPUT = /\$\$\.Execution\.Input(?![A-Za-z0-9_])/g;
const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'MaxConcurrencyPath',
  'ErrorPath',
  'CausePath',
];
const TEMPLATE_FIELDS = ['Parameters', 'ItemSelector', 'ResultSelector'];

/**
 * - `$$.Execution.Input` → `$$.Execution.RootInput`: inside a Map iteration or Parallel branch the engine
 *   sets Execution.Input to the item/branch input, and a resumed run starts from a state's input; the
 *   engine copies other Execution keys down, so RootInput stays the execution's real input.
 * - `$$.Task.Token` (callback Tasks only) → a placeholder the task handler replaces with a fresh token.
 * - `$$.State.Name` → the literal name (the engine has no State context).
 */
function rewriteContextReferences(
  stateName: string,
  state: AslState,
  isCallback: boolean,
  rewrites: string[],
  problems: Array<{ stateName?: string; problem: string }>,
) {
  const rewritePath = (path: string) => path.replace(EXECUTION_INPUT, '$$$$.Execution.RootInput');
  for (const field of PATH_FIELDS) {
    const value = state[field];
    if (typeof value === 'string') state[field] = rewritePath(value);
  }
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    state.Choices = state.Choices.map((rule) => rewriteRulePaths(rule, rewritePath));
  }
  let tokenUses = 0;
  const rewriteTemplate = (template: unknown): unknown => {
    if (Array.isArray(template)) return template.map(rewriteTemplate);
    if (!isPlainObject(template)) return template;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      if (!key.endsWith('.$') || typeof value !== 'string') {
        out[key] = rewriteTemplate(value);
        continue;
      }
      const plainKey = key.slice(0, -2);
      if (value === '$$.Task.Token' && isCallback) {
        out[plainKey] = TASK_TOKEN_PLACEHOLDER;
        tokenUses++;
      } else if (value === '$$.State.Name') {
        out[plainKey] = stateName;
      } else {
        let expr = rewritePath(value);
        if (!expr.startsWith('$')) {
          // An intrinsic function: swap context references for string literals inside it.
          if (isCallback && expr.includes('$$.Task.Token')) {
            expr = expr.split('$$.Task.Token').join(`'${TASK_TOKEN_PLACEHOLDER}'`);
            tokenUses++;
          }
          expr = expr.split('$$.State.Name').join(`'${stateName.replace(/['{}\\]/g, (c) => `\\${c}`)}'`);
        }
        if (expr.includes('$$.Task.Token')) {
          problems.push({
            stateName,
            problem: '$$.Task.Token is only available in .waitForTaskToken Task states',
          });
        }
        if (/\$\$\.State\.(?!Name\b)/.test(expr)) {
          problems.push({ stateName, problem: `${value}: only $$.State.Name is available locally` });
        }
        out[key] = expr;
      }
    }
    return out;
  };
  for (const field of TEMPLATE_FIELDS) {
    if (state[field] !== undefined) state[field] = rewriteTemplate(state[field]);
  }
  if (isCallback) {
    if (tokenUses === 0) {
      problems.push({
        stateName,
        problem: 'a .waitForTaskToken task must pass $$.Task.Token in its Parameters (JsonPath.taskToken)',
      });
    } else {
      rewrites.push(`state "${stateName}": $$.Task.Token → per-invocation token`);
    }
  }
}

function rewriteRulePaths(rule: unknown, rewritePath: (p: string) => string): unknown {
  if (Array.isArray(rule)) return rule.map((r) => rewriteRulePaths(r, rewritePath));
  if (!isPlainObject(rule)) return rule;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rule)) {
    if (typeof value === 'string' && (key === 'Variable' || key.endsWith('Path')))
      out[key] = rewritePath(value);
    else if (key === 'And' || key === 'Or' || key === 'Not') out[key] = rewriteRulePaths(value, rewritePath);
    else out[key] = value;
  }
  return out;
}
