/** Period arithmetic for cycles: months, quarters and years as the strings the dataset uses. */

export type Quarter = 1 | 2 | 3 | 4;

export function monthKey(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** "2026-06" → 6 */
export function monthNumber(period: string): number {
  return Number(period.slice(5, 7));
}

export function monthsOfQuarter(year: number, quarter: Quarter): string[] {
  const first = (quarter - 1) * 3 + 1;
  return [first, first + 1, first + 2].map((m) => monthKey(year, m));
}

export function monthsOfYear(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => monthKey(year, i + 1));
}

/** Months from January up to and including `period` (the year-to-date window). */
export function monthsToDate(period: string): string[] {
  const year = Number(period.slice(0, 4));
  return Array.from({ length: monthNumber(period) }, (_, i) => monthKey(year, i + 1));
}

export function quarterOfMonth(period: string): Quarter {
  return Math.ceil(monthNumber(period) / 3) as Quarter;
}

/** "2026-Q2" → {year: 2026, quarter: 2} */
export function parseQuarter(period: string): { year: number; quarter: Quarter } {
  const match = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!match) throw new RangeError(`not a quarter period (YYYY-Qn): ${period}`);
  return { year: Number(match[1]), quarter: Number(match[2]) as Quarter };
}

export function quarterKey(year: number, quarter: Quarter): string {
  return `${year}-Q${quarter}`;
}

/**
 * The period a schedule firing at `now` is due for, in China Standard Time (UTC+8, no DST): the previous
 * month, the previous quarter, or the previous year.
 */
export function duePeriod(kind: 'monthly' | 'quarterly' | 'annual', now: Date): string {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const year = cst.getUTCFullYear();
  const month = cst.getUTCMonth() + 1;
  if (kind === 'annual') return String(year - 1);
  if (kind === 'monthly') return month === 1 ? monthKey(year - 1, 12) : monthKey(year, month - 1);
  const quarter = Math.ceil(month / 3);
  return quarter === 1 ? quarterKey(year - 1, 4) : quarterKey(year, (quarter - 1) as Quarter);
}

/** The same months one year earlier ("2026-03" → "2025-03"): the window `improve` compares against (§9.4). */
export function previousYearMonths(months: readonly string[]): string[] {
  return months.map((m) => monthKey(Number(m.slice(0, 4)) - 1, monthNumber(m)));
}
