/**
 * Shapes shared by the extractor, the sanitizer and the local engine. ASL is handled as plain JSON on
 * purpose: the definitions come from CDK synthesis, and the engine re-validates them with asl-validator.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One ASL state. Only `Type` is common to all; the rest is read field by field. */
export type AslState = { Type: string } & Record<string, unknown>;

/** A state machine definition, or the nested definition of a Map ItemProcessor or a Parallel branch. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/** Where a state sits: [] at the top level, otherwise the names of the enclosing Map/Parallel states. */
export type StateScope = readonly string[];

export interface VisitedState {
  name: string;
  state: AslState;
  scope: StateScope;
}

/**
 * Every state of a definition, depth first, including those inside Map (ItemProcessor/Iterator) and
 * Parallel branches. Throws when a name repeats: Step Functions requires names to be unique machine-wide,
 * and the engine keys task handlers by name.
 */
export function listStates(definition: AslDefinition): VisitedState[] {
  const visited: VisitedState[] = [];
  const seen = new Set<string>();
  const walk = (def: AslDefinition, scope: StateScope) => {
    for (const [name, state] of Object.entries(def.States)) {
      if (seen.has(name)) {
        throw new Error(
          `State name "${name}" is used more than once; Step Functions needs state names that are unique ` +
            'across the whole state machine, including Map and Parallel states. Rename one of them.',
        );
      }
      seen.add(name);
      visited.push({ name, state, scope });
      for (const child of childDefinitions(state)) walk(child, [...scope, name]);
    }
  };
  walk(definition, []);
  return visited;
}

/** The nested definitions a Map or Parallel state runs. */
export function childDefinitions(state: AslState): AslDefinition[] {
  if (state.Type === 'Map') {
    const processor = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
    return processor ? [processor] : [];
  }
  if (state.Type === 'Parallel') return (state.Branches as AslDefinition[] | undefined) ?? [];
  return [];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
