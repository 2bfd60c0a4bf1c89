/**
 * Secondments and allowances (派驻、上派下挂、对口帮扶、抽调, DOMAIN.md §9.5): the monthly allowance paid
 * outside every pool, and the `secondment_count` aggregation that counts seconded persons from the register.
 */
import type { Indicator, Secondment } from '../schemas/dataset.js';
import type { Fen } from './money.js';
import { namedParam } from './params.js';
import { monthKey } from './periods.js';

/** Whether a period ("2026-03") lies in [from, to] (to absent = open). YYYY-MM compares as text. */
export const covers = (s: Pick<Secondment, 'from' | 'to'>, period: string): boolean =>
  s.from <= period && (s.to === undefined || period <= s.to);

/**
 * The month's allowance by staff id: monthlyAllowance for each person with a period covering the month
 * (periods of one person never overlap, so there is at most one). Whether the person is on the payroll
 * is the pay step's business.
 */
export function allowancesFor(secondments: readonly Secondment[], period: string): Map<string, Fen> {
  const out = new Map<string, Fen>();
  for (const s of secondments) {
    if (covers(s, period)) out.set(s.staffId, (out.get(s.staffId) ?? 0) + s.monthlyAllowance);
  }
  return out;
}

export interface CountParams {
  direction: 'in' | 'out';
  minMonths: number;
  leaderOnly: boolean;
}

/**
 * secondment_count for institution i and a window ending at `windowEnd` (YYYY-MM): distinct persons
 * seconded to i (in: host = i) or from i (out: the roster's institution = i) whose continuous months
 * inside the year, up to the window's end, reach minMonths. Months of one person's periods that touch
 * (one ends in March, the next starts in April) run on; leaderOnly counts only periods with leaderRole yes.
 */
export function secondmentCount(
  secondments: readonly Secondment[],
  homeOf: ReadonlyMap<string, string>,
  institutionId: string,
  windowEnd: string,
  params: CountParams,
): number {
  const year = Number(windowEnd.slice(0, 4));
  const yearStart = monthKey(year, 1);
  const monthsByPerson = new Map<string, Set<number>>();
  for (const s of secondments) {
    const side = params.direction === 'in' ? s.hostInstitutionId : homeOf.get(s.staffId);
    if (side !== institutionId) continue;
    if (params.leaderOnly && s.leaderRole !== 'yes') continue;
    const from = s.from < yearStart ? yearStart : s.from;
    const to = s.to === undefined || s.to > windowEnd ? windowEnd : s.to;
    if (from > to) continue;
    let months = monthsByPerson.get(s.staffId);
    if (!months) {
      months = new Set();
      monthsByPerson.set(s.staffId, months);
    }
    for (let m = Number(from.slice(5, 7)); m <= Number(to.slice(5, 7)); m++) months.add(m);
  }
  let count = 0;
  for (const months of monthsByPerson.values()) {
    let run = 0;
    let longest = 0;
    for (let m = 1; m <= 12; m++) {
      run = months.has(m) ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    if (longest >= params.minMonths) count += 1;
  }
  return count;
}

/** The named params of a secondment_count indicator (DOMAIN.md §9.5); defaults: in, 6 months, anyone. */
export function countParams(params: string | undefined): CountParams {
  const direction = namedParam(params, 'direction') === 'out' ? 'out' : 'in';
  const minMonths = Number(namedParam(params, 'minMonths') ?? '6');
  return { direction, minMonths, leaderOnly: namedParam(params, 'leaderOnly') === 'yes' };
}

/**
 * The scoring context's counter for one institution and window: `homeOf` needs to hold at least the
 * institution's own roster (direction out counts its own staff).
 */
export function secondmentCounter(
  secondments: readonly Secondment[],
  homeOf: ReadonlyMap<string, string>,
  institutionId: string,
  window: readonly string[],
): (indicator: Pick<Indicator, 'params'>) => number {
  const windowEnd = [...window].sort().at(-1)!;
  return (indicator) =>
    secondmentCount(secondments, homeOf, institutionId, windowEnd, countParams(indicator.params));
}
