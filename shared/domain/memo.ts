/**
 * A pure function of a text, computed once per distinct text: for the constants a dataset repeats at every
 * use (an indicator's weight, its bands), which the core would otherwise parse for every institution it
 * scores. Bounded: past `limit` texts everything is forgotten and computed again, so a long-running
 * process never grows without end. The values are shared, so they must never be changed by a caller.
 */
export function memoByText<T>(limit: number, compute: (text: string) => T): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    let value = known.get(text);
    if (value === undefined) {
      value = compute(text);
      if (known.size >= limit) known.clear();
      known.set(text, value);
    }
    return value;
  };
}
