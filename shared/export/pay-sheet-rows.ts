/** What the CSV and XLSX pay sheets share: row order, text cells and exact totals. */
import { AMOUNT_KEYS, postLabel } from './labels.js';
import { sumFen } from './money-format.js';
import type { AmountKey, PaySheetLine } from './types.js';

export type AmountTotals = Record<AmountKey, number>;

/** Plain code-unit order, so the result is the same on every machine and locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lines by institutionId, then staffId (DOMAIN.md §8.1). Does not mutate the input. */
export function sortLines(lines: readonly PaySheetLine[]): PaySheetLine[] {
  return [...lines].sort(
    (a, b) => compareCodeUnits(a.institutionId, b.institutionId) || compareCodeUnits(a.staffId, b.staffId),
  );
}

/** Column sums in fen, summed as integers. */
export function totalsOf(
  lines: readonly PaySheetLine[],
  keys: readonly AmountKey[] = AMOUNT_KEYS,
): AmountTotals {
  const totals = {} as AmountTotals;
  for (const key of keys) {
    totals[key] = sumFen(
      lines.map((line) => line[key] ?? 0),
      `${key} total`,
    );
  }
  return totals;
}

/** The seven text values of a line, in header order, as a person should read them (post in Chinese). */
export function textValues(line: PaySheetLine): string[] {
  return [
    line.period,
    line.institutionId,
    line.institutionName,
    line.department,
    line.staffId,
    line.name,
    postLabel(line.post),
  ];
}

export interface InstitutionGroup {
  institutionId: string;
  institutionName: string;
  lines: PaySheetLine[];
}

/** Sorted lines grouped by institution, in institutionId order. */
export function groupByInstitution(sorted: readonly PaySheetLine[]): InstitutionGroup[] {
  const groups: InstitutionGroup[] = [];
  for (const line of sorted) {
    const last = groups.at(-1);
    if (last && last.institutionId === line.institutionId) last.lines.push(line);
    else
      groups.push({
        institutionId: line.institutionId,
        institutionName: line.institutionName,
        lines: [line],
      });
  }
  return groups;
}
