/** DOMAIN.md §9.1: the two-level split (rule) and the check of a department head's manual split. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateByPoints, monthlyInstitutionPay } from '../../../shared/domain/allocation.js';
import { allocateByDepartments, checkSubmission } from '../../../shared/domain/departments.js';
import { rational as r } from '../../../shared/domain/rational.js';
import { scheme, staff, work } from './builders.js';

describe('§9.1 two-level split (rule)', () => {
  it('moves a fen compared with a one-level split', () => {
    // Pool 100 fen; A (dept X, pts 1), B (dept Y, pts 1), C (dept Y, pts 1); coefficients 1.
    // One level: 100/3 each → 33, 33, 33 + 1 leftover to A (ties by id) → A 34, B 33, C 33.
    // Two levels: P_X = 1, P_Y = 2 → X 33.33 → 33, Y 66.67 → 67 (largest remainder);
    //   Y splits 67 → 33.5 each → 33, 33 + 1 to B (tie by id) → A 33, B 34, C 33.
    const points = new Map([
      ['A', r(1)],
      ['B', r(1)],
      ['C', r(1)],
    ]);
    const one = allocateByPoints(100, points);
    expect([...one.shares]).toEqual([
      ['A', 34],
      ['B', 33],
      ['C', 33],
    ]);
    const two = allocateByDepartments(
      100,
      points,
      new Map([
        ['A', 'X'],
        ['B', 'Y'],
        ['C', 'Y'],
      ]),
      [
        { departmentId: 'X', coefficient: '1' },
        { departmentId: 'Y', coefficient: '1' },
      ],
    );
    expect(Object.fromEntries(two.shares)).toEqual({ A: 33, B: 34, C: 33 });
    expect(two.departments).toEqual([
      { departmentId: 'X', points: '1', pool: 33, mode: 'rule' },
      { departmentId: 'Y', points: '2', pool: 67, mode: 'rule' },
    ]);
  });

  it('weighs departments by coefficient × points and leaves the pool undistributed when Σ P_d = 0', () => {
    // X coefficient 1.5 × pts 2 = 3, Y 1 × 1 = 1 → 1,000 fen: X 750, Y 250
    const two = allocateByDepartments(
      1_000,
      new Map([
        ['A', r(2)],
        ['B', r(1)],
      ]),
      new Map([
        ['A', 'X'],
        ['B', 'Y'],
      ]),
      [
        { departmentId: 'X', coefficient: '1.5' },
        { departmentId: 'Y', coefficient: '1' },
      ],
    );
    expect(Object.fromEntries(two.shares)).toEqual({ A: 750, B: 250 });
    const none = allocateByDepartments(500, new Map([['A', r(0)]]), new Map([['A', 'X']]), [
      { departmentId: 'X', coefficient: '2' },
    ]);
    expect(none.undistributed).toBe(500);
  });

  it('applies to the monthly pool and reports each department in the result', () => {
    const roster = [
      staff('S1', { basicMonthly: 100_000, department: 'X' }),
      staff('S2', { basicMonthly: 100_000, department: 'Y' }),
    ];
    const pay = monthlyInstitutionPay({
      scheme: scheme(),
      approvedTotal: 12 * 200_000 + 12 * 1_000, // M = 1,000, H = 200, D = 800
      roster,
      month: 1,
      workload: [work('2026-01', 'S1', '10'), work('2026-01', 'S2', '30')],
      adjustments: [],
      departments: [
        { institutionId: 'T01', departmentId: 'X', name: 'X', coefficient: '3' },
        { institutionId: 'T01', departmentId: 'Y', name: 'Y', coefficient: '1' },
      ],
    });
    // P_X = 30, P_Y = 30 → 400 each
    expect(pay.lines.map((l) => l.reward)).toEqual([400, 400]);
    expect(pay.departments?.map((d) => [d.departmentId, d.pool])).toEqual([
      ['X', 400],
      ['Y', 400],
    ]);
  });

  it('sums to the pool to the fen over departments and persons, for random departments and coefficients', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 500 })), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 4, maxLength: 4 }),
        (pool, people, coefficients) => {
          const points = new Map(people.map(([, p], i) => [`S${String(i).padStart(2, '0')}`, r(p)]));
          const departmentOf = new Map(people.map(([d], i) => [`S${String(i).padStart(2, '0')}`, `D${d}`]));
          const departments = coefficients.map((c, d) => ({
            departmentId: `D${d}`,
            coefficient: String(c / 100),
          }));
          const split = allocateByDepartments(pool, points, departmentOf, departments);
          const persons = [...split.shares.values()].reduce((a, b) => a + b, 0);
          const byDepartment = split.departments.reduce((a, d) => a + d.pool, 0);
          expect(persons + split.undistributed).toBe(pool);
          if (split.undistributed === 0) expect(byDepartment).toBe(pool);
          for (const fen of split.shares.values()) expect(fen).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('sums to the pool with manual splits of some departments', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        (pool, pts, cuts) => {
          const ids = pts.map((_, i) => `S${String(i).padStart(2, '0')}`);
          const departmentOf = new Map(ids.map((id, i) => [id, i % 2 === 0 ? 'A' : 'B']));
          const departments = [
            { departmentId: 'A', coefficient: '1' },
            { departmentId: 'B', coefficient: '1.2' },
          ];
          const points = new Map(ids.map((id, i) => [id, r(pts[i]!)]));
          const rule = allocateByDepartments(pool, points, departmentOf, departments);
          // A head splits department A's pool arbitrarily (cuts), exactly to the fen.
          const members = ids.filter((id) => departmentOf.get(id) === 'A');
          const x = rule.departments.find((d) => d.departmentId === 'A')!.pool;
          const amounts = new Map<string, number>();
          let left = x;
          members.forEach((id, i) => {
            const a = i === members.length - 1 ? left : Math.min(left, cuts[i]! % (x + 1));
            amounts.set(id, a);
            left -= a;
          });
          expect(checkSubmission(x, members, amounts, undefined)).toEqual([]);
          const manual = allocateByDepartments(
            pool,
            points,
            departmentOf,
            departments,
            new Map([['A', amounts]]),
          );
          expect([...manual.shares.values()].reduce((a, b) => a + b, 0)).toBe(pool);
          expect(manual.departments.find((d) => d.departmentId === 'A')!.mode).toBe('manual');
        },
      ),
    );
  });
});

describe('§9.1 a department head’s manual split', () => {
  it('refuses a cap breach, naming the person and the excess', () => {
    // X_d = 1,000.00 yuan, 4 on payroll, capMultiple 1.5 → cap round(1.5 × 100,000 / 4) = 37,500 fen
    const problems = checkSubmission(
      100_000,
      ['S1', 'S2', 'S3', 'S4'],
      new Map([
        ['S1', 40_000],
        ['S2', 30_000],
        ['S3', 20_000],
        ['S4', 10_000],
      ]),
      '1.5',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'cap', staffId: 'S1' });
    expect(problems[0]!.en).toContain('over the cap of 375.00 yuan by 25.00 yuan');
    expect(problems[0]!.zh).toContain('超出 25.00 元');
  });

  it('refuses amounts that miss the pool by a fen, negative amounts and non-members', () => {
    const problems = checkSubmission(
      100,
      ['S1', 'S2'],
      new Map([
        ['S1', 101],
        ['S2', -2],
        ['X9', 0],
      ]),
      undefined,
    );
    expect(problems.map((p) => p.code).sort()).toEqual(['negative', 'notMember', 'sum']);
    expect(problems.find((p) => p.code === 'sum')!.en).toContain('0.01 left to assign');
  });
});
