import { describe, expect, it } from 'vitest';
import { monthPoints, pointsByStaff, tilt } from '../../../shared/domain/points.js';
import type { Flag } from '../../../shared/schemas/dataset.js';
import { exactly, scheme, staff, work } from './builders.js';

const rates = scheme().pay.tilt; // key 0.10, scarce 0.10, high_risk 0.15, high_level 0.20, core 0.10, cap 1.50

describe('tilt', () => {
  it.each<[Flag[], string]>([
    [[], '1'], // no flags → 1
    [['key'], '1.1'],
    [['key', 'scarce'], '1.2'], // 1 + 0.10 + 0.10
    [['high_level', 'core'], '1.3'], // 1 + 0.20 + 0.10
    [['key', 'scarce', 'high_risk', 'core'], '1.45'], // 1 + 0.45, just under the cap
    [['key', 'scarce', 'high_risk', 'high_level'], '1.5'], // 1 + 0.55 = 1.55 → cap 1.50
    [['key', 'scarce', 'high_risk', 'high_level', 'core'], '1.5'], // 1 + 0.65 → cap 1.50
  ])('flags %j give tilt %s', (flags, expected) => {
    expect(tilt(flags, rates).toFraction()).toBe(exactly(expected));
  });

  it('uses the scheme cap, whatever it is', () => {
    // cap 1.25: key + high_level = 1.30 → 1.25
    expect(tilt(['key', 'high_level'], { ...rates, cap: '1.25' }).toFraction()).toBe(exactly('1.25'));
  });
});

describe('monthPoints', () => {
  it('multiplies work points by quality/100, attendance, post coefficient and tilt', () => {
    // 1000 × 90/100 × 20/22 × 1.2 × 1.3 = 900 × 20 × 1.56 / 22 = 28080/22 = 14040/11 ≈ 1276.36
    const row = work('2026-01', 'S1', '1000', { quality: '90', attendedDays: '20', scheduledDays: '22' });
    const person = staff('S1', { postCoefficient: '1.2', flags: ['high_level', 'core'] });
    expect(monthPoints(row, person, rates).toFraction()).toBe('14040/11');
  });

  it('gives 0 points for 0 work points, 0 quality or 0 attended days', () => {
    const person = staff('S1');
    expect(monthPoints(work('2026-01', 'S1', '0'), person, rates).toFraction()).toBe('0');
    expect(monthPoints(work('2026-01', 'S1', '500', { quality: '0' }), person, rates).toFraction()).toBe('0');
    expect(monthPoints(work('2026-01', 'S1', '500', { attendedDays: '0' }), person, rates).toFraction()).toBe(
      '0',
    );
  });

  it('keeps decimal work points exact', () => {
    // 0.1 × 3 (post coefficient) = 0.3 exactly, full quality and attendance, no flags
    expect(
      monthPoints(work('2026-01', 'S1', '0.1'), staff('S1', { postCoefficient: '3' }), rates).toFraction(),
    ).toBe(exactly('0.3'));
  });
});

describe('pointsByStaff', () => {
  it('sums a person’s points over the rows and ignores rows of people not in the roster', () => {
    // S1: 100 + 50 = 150 (coefficient 1); S2: 200 × 1.1 (key) = 220; X is not in the roster
    const roster = new Map([
      ['S1', staff('S1')],
      ['S2', staff('S2', { flags: ['key'] })],
    ]);
    const rows = [
      work('2026-01', 'S1', '100'),
      work('2026-02', 'S1', '50'),
      work('2026-01', 'S2', '200'),
      work('2026-01', 'X', '999'),
    ];
    const totals = pointsByStaff(rows, roster, rates);
    expect(Object.fromEntries([...totals].map(([id, p]) => [id, p.toFraction()]))).toEqual({
      S1: '150',
      S2: '220',
    });
  });

  it('keeps a person with a row but zero points, so they are on the payroll', () => {
    const totals = pointsByStaff([work('2026-01', 'S1', '0')], new Map([['S1', staff('S1')]]), rates);
    expect(totals.get('S1')?.toFraction()).toBe('0');
  });
});
