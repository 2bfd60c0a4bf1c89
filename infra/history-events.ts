/**
 * How many history events one Standard execution of a state machine writes on its longest successful path
 * (Step Functions caps an execution at 25,000), computed from the ASL definition the synth produces — the
 * check that a province's cycle fits before anyone runs one on AWS.
 *
 * Per state, as Step Functions records them: a Task is entered, scheduled, started, succeeded and exited
 * (5; a `.waitForTaskToken` task is also submitted: 6); a Map is entered, started, succeeded and exited (4)
 * and each iteration started and succeeded (2) plus its own states; a Parallel likewise per branch; Pass,
 * Choice, Wait and Succeed are entered and exited (2); the execution starts and succeeds (2). Retries and
 * Catch paths are not counted (a failed step adds its retries, a failed cycle ends early).
 */

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Default?: string;
  Choices?: { Next: string }[];
  ItemsPath?: string;
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
}
export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

/** How many items a Map state iterates over (by its name and ItemsPath). */
export type ItemsOf = (stateName: string, state: AslState) => number;

export const HISTORY_EVENT_LIMIT = 25_000;

export function eventsPerExecution(machine: AslMachine, itemsOf: ItemsOf): number {
  return 2 + longestPath(machine, itemsOf);
}

function longestPath(machine: AslMachine, itemsOf: ItemsOf): number {
  const memo = new Map<string, number>();
  const from = (name: string, path: Set<string>): number => {
    const cached = memo.get(name);
    if (cached !== undefined) return cached;
    if (path.has(name)) throw new Error(`a loop through ${name}: the history has no bound`);
    const state = machine.States[name];
    if (!state) throw new Error(`no state ${name}`);
    const next = new Set([...path, name]);
    const own = stateEvents(name, state, itemsOf);
    let after = 0;
    if (state.Type === 'Choice') {
      const targets = [
        ...(state.Choices ?? []).map((c) => c.Next),
        ...(state.Default ? [state.Default] : []),
      ];
      after = Math.max(0, ...targets.map((t) => from(t, next)));
    } else if (state.Next && !state.End) after = from(state.Next, next);
    const total = own + after;
    memo.set(name, total);
    return total;
  };
  return from(machine.StartAt, new Set());
}

function stateEvents(name: string, state: AslState, itemsOf: ItemsOf): number {
  switch (state.Type) {
    case 'Task':
      return String(state.Resource ?? '').includes('waitForTaskToken') ? 6 : 5;
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (!processor) return 4;
      return 4 + itemsOf(name, state) * (2 + longestPath(processor, itemsOf));
    }
    case 'Parallel':
      return 4 + (state.Branches ?? []).reduce((n, b) => n + longestPath(b, itemsOf), 0);
    case 'Fail':
      return 1;
    default:
      return 2;
  }
}

/** The ASL of a synthesized `AWS::StepFunctions::StateMachine` (its Fn::Join'd DefinitionString). */
export function definitionOf(resource: { Properties: { DefinitionString: unknown } }): AslMachine {
  const body = resource.Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
  return JSON.parse(text) as AslMachine;
}
