import { describe, expect, it } from 'vitest';
import {
  monthKey,
  monthNumber,
  monthsOfQuarter,
  monthsOfYear,
  monthsToDate,
  parseQuarter,
  quarterKey,
  quarterOfMonth,
} from '../../../shared/domain/periods.js';

describe('periods', () => {
  it('writes and reads months as YYYY-MM', () => {
    expect(monthKey(2026, 3)).toBe('2026-03');
    expect(monthNumber('2026-11')).toBe(11);
  });

  it('lists the three months of each quarter and the twelve of the year', () => {
    expect(monthsOfQuarter(2026, 1)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(monthsOfQuarter(2026, 4)).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(monthsOfYear(2026)).toHaveLength(12);
    expect(monthsOfYear(2026).at(-1)).toBe('2026-12');
  });

  it('takes the year to date from January up to and including the month', () => {
    expect(monthsToDate('2026-03')).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(monthsToDate('2026-01')).toEqual(['2026-01']);
  });

  it.each([
    ['2026-01', 1],
    ['2026-03', 1],
    ['2026-04', 2],
    ['2026-09', 3],
    ['2026-12', 4],
  ])('puts %s in quarter %d', (month, quarter) => {
    expect(quarterOfMonth(month)).toBe(quarter);
  });

  it('parses and writes quarters as YYYY-Qn, refusing anything else', () => {
    expect(parseQuarter('2026-Q2')).toEqual({ year: 2026, quarter: 2 });
    expect(quarterKey(2026, 4)).toBe('2026-Q4');
    expect(() => parseQuarter('2026-Q5')).toThrow(/YYYY-Qn/);
    expect(() => parseQuarter('2026-06')).toThrow(RangeError);
  });
});
