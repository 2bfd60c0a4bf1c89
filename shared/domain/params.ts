/**
 * Named indicator params (DOMAIN.md §9.4): `params` is a `;`-separated list whose `name=value` items are
 * named params (base, veto, direction, minMonths, leaderOnly); they are taken out before a method reads the
 * rest as in §3 (bands, points per event). A v1 params string has no `=` and passes through unchanged.
 */
export const NAMED_PARAMS = ['base', 'veto', 'direction', 'minMonths', 'leaderOnly'] as const;
export type NamedParam = (typeof NAMED_PARAMS)[number];

export interface SplitParams {
  /** Named params by name, values trimmed, in the order written. */
  named: Map<string, string>;
  /** What the method reads (§3), items rejoined with `;`; undefined when nothing is left. */
  rest: string | undefined;
}

export function splitParams(params: string | undefined): SplitParams {
  const named = new Map<string, string>();
  if (params === undefined) return { named, rest: undefined };
  if (!params.includes('=')) return { named, rest: params };
  const rest: string[] = [];
  for (const item of params.split(';')) {
    const at = item.indexOf('=');
    if (at < 0) rest.push(item);
    else named.set(item.slice(0, at).trim(), item.slice(at + 1).trim());
  }
  const joined = rest.join(';');
  return { named, rest: joined.trim() === '' ? undefined : joined };
}

/** The params a method reads (§3), named ones taken out. */
export const methodParams = (params: string | undefined): string | undefined => splitParams(params).rest;

/** One named param's value, or undefined. */
export function namedParam(params: string | undefined, name: NamedParam): string | undefined {
  if (params === undefined || !params.includes('=')) return undefined;
  return splitParams(params).named.get(name);
}
