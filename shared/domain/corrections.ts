/**
 * The differences a correction posts (DOMAIN.md §7.1): for each person and pay component, new − old in
 * fen. Pure: the sum of a person's differences is exactly their new total minus their old one.
 */
import type { Fen } from './money.js';

/** A person's amounts by component (basic, reward, adjustment, … or quarterlySurplus). */
export type ComponentAmounts = { staffId: string } & Record<string, unknown>;

export interface DifferenceLine {
  staffId: string;
  component: string;
  old: Fen;
  new: Fen;
  difference: Fen;
}

const amountOf = (line: ComponentAmounts | undefined, component: string): Fen => {
  const value = line?.[component];
  return typeof value === 'number' ? value : 0;
};

/**
 * Every non-zero difference between old and new lines, by staff id then component (in the order
 * given). A person on one side only counts as zero on the other.
 */
export function correctionDifferences(
  oldLines: readonly ComponentAmounts[],
  newLines: readonly ComponentAmounts[],
  components: readonly string[],
): DifferenceLine[] {
  const before = new Map(oldLines.map((l) => [l.staffId, l]));
  const after = new Map(newLines.map((l) => [l.staffId, l]));
  const people = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: DifferenceLine[] = [];
  for (const staffId of people) {
    for (const component of components) {
      const old = amountOf(before.get(staffId), component);
      const next = amountOf(after.get(staffId), component);
      if (old !== next) out.push({ staffId, component, old, new: next, difference: next - old });
    }
  }
  return out;
}

/** Σ of the components over lines: a revision's total as the differences see it. */
export function componentTotal(lines: readonly ComponentAmounts[], components: readonly string[]): Fen {
  let total = 0;
  for (const line of lines) for (const component of components) total += amountOf(line, component);
  return total;
}
