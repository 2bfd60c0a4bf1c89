/**
 * Why this amount over a v2 year (DOMAIN.md §9): the demo county with departments, the funding-1 floor,
 * secondments and allowances. Every person's monthly gross, quarterly surplus reward and annual bonus is
 * recomputed from the explanation alone — the department's P_d and its share X_d of the pool, the
 * person's share of X_d, the allowance and the floor's top-up — with arithmetic written here, and must
 * equal what the in-memory year (the steps the handlers call) paid, to the fen.
 */
import Fraction from 'fraction.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDatasetFiles } from '../../../shared/dataset/index.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { DatasetIndex } from '../../../shared/domain/dataset-index.js';
import { monthsOfQuarter, monthsOfYear } from '../../../shared/domain/periods.js';
import { secondmentCounter } from '../../../shared/domain/secondments.js';
import { computeYear, type YearResults } from '../../../shared/domain/year.js';
import {
  type ExplainKind,
  explainInstitution,
  explainPerson,
  type InstitutionSlice,
  type PersonExplanation,
  type StoredResults,
} from '../../../shared/reports/explain.js';
import { personText } from '../../../shared/reports/explain-text.js';
import { paySlip } from '../../../shared/reports/slips.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';

const F = (x: string | number) => new Fraction(x);
const floor = (x: Fraction) => Number(x.floor().s * x.floor().n);
/** Half away from zero, written out again here rather than borrowed from the domain. */
const round = (x: Fraction) => {
  const a = x.abs();
  const whole = floor(a);
  const up = a.sub(whole).compare(F('1/2')) >= 0 ? whole + 1 : whole;
  return x.s < 0n ? -up : up;
};

let dataset: Dataset;
let year: YearResults;
let ix: DatasetIndex;

beforeAll(() => {
  const parsed = parseDatasetFiles(generateCounty({ staff: 400, townships: 4, v2: true }));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues.slice(0, 3)));
  dataset = parsed.dataset;
  year = computeYear(dataset);
  ix = new DatasetIndex(dataset);
});

function slice(kind: ExplainKind, period: string, institutionId: string, months: string[]): InstitutionSlice {
  return {
    lineage: { communityId: dataset.scheme.community.id, kind, period, revision: 1, datasetVersion: 1 },
    scheme: dataset.scheme,
    institution: dataset.institutions.find((i) => i.id === institutionId)!,
    roster: ix.roster(institutionId),
    months,
    workload: ix.workload(institutionId, months),
    adjustments: kind === 'monthly' ? ix.adjustments(institutionId, period) : [],
    finance: ix.finance(institutionId, months),
    values: ix.values(institutionId),
    indicators: dataset.indicators,
    ...(dataset.departments
      ? { departments: dataset.departments.filter((d) => d.institutionId === institutionId) }
      : {}),
    ...(dataset.secondments ? { secondments: dataset.secondments } : {}),
    // As the scoring steps read the register: the persons' home institutions (no previous year here).
    ...(dataset.secondments && kind !== 'monthly'
      ? {
          scoring: {
            secondmentCount: secondmentCounter(
              dataset.secondments,
              ix.staffInstitution(),
              institutionId,
              months,
            ),
          },
        }
      : {}),
  };
}

function explainAll(kind: ExplainKind, period: string) {
  return dataset.institutions.flatMap((institution) => {
    const id = institution.id;
    let months: string[];
    let stored: StoredResults;
    if (kind === 'monthly') {
      months = [period];
      const result = year.monthly.get(period)!.find((r) => r.institutionId === id);
      if (!result) return [];
      stored = { kind, result };
    } else if (kind === 'quarterly') {
      const q = year.quarterly.get(period)!;
      months = monthsOfQuarter(dataset.scheme.year, Number(period.slice(-1)) as 1);
      const score = q.institutions.find((s) => s.institutionId === id);
      if (!score) return [];
      stored = { kind, score, allocation: q.allocations.find((a) => a.institutionId === id)! };
    } else {
      months = monthsOfYear(dataset.scheme.year);
      const score = year.annual.institutions.find((s) => s.institutionId === id);
      if (!score) return [];
      const settled = year.annual.settlement;
      const insurance = settled.insurance;
      stored = {
        kind,
        score,
        allocation: year.annual.allocations.find((a) => a.institutionId === id)!,
        grade: dataset.scheme.grades.find((g) => g.grade === score.grade)!,
        reserveMonths: months.map((m) => {
          const r = year.monthly.get(m)!.find((x) => x.institutionId === id)!;
          return { period: m, holdback: r.holdback, undistributed: r.undistributed };
        }),
        settlement: settled.institutions.find((s) => s.institutionId === id)!,
        insurance:
          insurance.outcome === 'surplus'
            ? {
                payPart: insurance.payPart,
                members: dataset.institutions.map((i) => ({
                  institutionId: i.id,
                  score: settled.institutions.find((s) => s.institutionId === i.id)?.score ?? '0',
                  headcount: ix.roster(i.id).length,
                  tier: i.tier,
                })),
              }
            : null,
      };
    }
    const s = slice(kind, period, id, months);
    const explained = explainInstitution(s, stored);
    return [{ explained, people: explained.lines.map((l) => explainPerson(s, explained, l.staffId)!) }];
  });
}

/** floor(pool × weight ÷ Σ) + the leftover fen the line was given (its rank within the leftover). */
function lrShare(pool: number, weight: Fraction, total: Fraction, rank: number | null, leftover: number) {
  if (weight.n === 0n || total.n === 0n) return 0;
  return floor(F(pool).mul(weight).div(total)) + (rank !== null && rank <= leftover ? 1 : 0);
}

/** The person's component from the explanation: through the department when there is one. */
function recomputeComponent(p: PersonExplanation, pool: number): number {
  const points = p.points.rows.reduce((a, r) => a.add(F(r.points.exact)), F(0));
  const d = p.department;
  if (!d) {
    if (!p.share) return 0;
    return lrShare(pool, points, F(p.split.totalWeight.exact), p.share.remainderRank, p.split.leftover);
  }
  // First level: P_d = coefficient × Σ members' pts, and X_d of the pool.
  const pd = F(d.coefficient).mul(F(d.memberPoints.exact));
  expect(pd.equals(F(d.points.exact))).toBe(true);
  const x = lrShare(pool, pd, F(d.totalPoints.exact), d.share.remainderRank, d.leftover);
  expect(x).toBe(d.pool);
  if (d.mode === 'manual') return p.amount;
  // Second level: the person's pts within the department.
  expect(p.split.pool).toBe(x);
  if (!p.share) return 0;
  return lrShare(x, points, F(d.memberPoints.exact), p.share.remainderRank, p.split.leftover);
}

describe('why this amount over a v2 year (§9): recomputed from the explanations', () => {
  it('the demo county has departments, funding-1 institutions under a floor and secondments', () => {
    expect(dataset.departments?.length).toBeGreaterThan(0);
    expect(dataset.scheme.pay.funding1Floor).toBeDefined();
    expect(dataset.secondments?.length).toBeGreaterThan(0);
  });

  it.each(monthsOfYear(2026))('monthly %s: every gross with its §9 columns, to the fen', (period) => {
    const paid = new Map(
      year.monthly.get(period)!.flatMap((r) => r.lines.map((l) => [l.staffId, l] as const)),
    );
    const seen = { departments: 0, allowance: 0, topUp: 0 };
    for (const { explained, people } of explainAll('monthly', period)) {
      expect(explained.differences).toEqual([]);
      for (const p of people) {
        const pool = p.pool.kind === 'monthly' ? p.pool.distributable : 0;
        const reward = recomputeComponent(p, pool);
        const basic = p.basic?.onPayroll ? p.staff.basicMonthly : 0;
        const adjustment = p.adjustments.reduce((a, x) => a + x.amount, 0);
        let allowance = 0;
        if (p.allowance) {
          const d = p.allowance.detail;
          allowance = d && p.basic?.onPayroll ? d.monthlyAllowance : 0;
          if (allowance > 0) seen.allowance++;
        }
        let topUp = 0;
        if (p.fiscalTopUp?.detail) {
          const t = p.fiscalTopUp.detail;
          const due = round(F(t.floor).mul(F(t.attendedDays)).div(F(t.scheduledDays)));
          expect(due).toBe(t.due);
          expect(t.basicPlusReward).toBe(basic + reward);
          topUp = Math.max(0, due - (basic + reward));
          if (topUp > 0) seen.topUp++;
        }
        if (p.department) seen.departments++;
        const line = paid.get(p.staff.staffId)!;
        expect([p.staff.staffId, basic + reward + adjustment + allowance + topUp]).toEqual([
          p.staff.staffId,
          line.gross,
        ]);
        expect([reward, allowance, topUp]).toEqual([line.reward, line.allowance ?? 0, line.fiscalTopUp ?? 0]);
        expect(p.reconciles).toBe(true);
      }
    }
    // The §9 parts are really exercised (a test that could not fail otherwise).
    expect(seen.departments).toBeGreaterThan(0);
    expect(seen.allowance).toBeGreaterThan(0);
    expect(seen.topUp).toBeGreaterThan(0);
  });

  it.each(['2026-Q1', '2026-Q4'])('quarterly %s: every surplus reward through the departments', (period) => {
    const paid = new Map(
      year.quarterly
        .get(period)!
        .allocations.flatMap((a) => a.lines.map((l) => [l.staffId, l.amount] as const)),
    );
    for (const { explained, people } of explainAll('quarterly', period)) {
      expect(explained.differences).toEqual([]);
      for (const p of people) {
        const pool = p.pool.kind === 'quarterly' ? p.pool.pool : 0;
        expect([p.staff.staffId, recomputeComponent(p, pool)]).toEqual([
          p.staff.staffId,
          paid.get(p.staff.staffId) ?? 0,
        ]);
      }
    }
  });

  it('annual 2026: every bonus through the departments', () => {
    const paid = new Map(
      year.annual.allocations.flatMap((a) => a.lines.map((l) => [l.staffId, l.amount] as const)),
    );
    for (const { explained, people } of explainAll('annual', '2026')) {
      expect(explained.differences).toEqual([]);
      for (const p of people) {
        const pool = p.pool.kind === 'annual' ? p.pool.pool : 0;
        expect([p.staff.staffId, recomputeComponent(p, pool)]).toEqual([
          p.staff.staffId,
          paid.get(p.staff.staffId) ?? 0,
        ]);
      }
    }
  });

  it('the pay slip and the text show the §9 components and still add up to the gross', () => {
    const people = explainAll('monthly', '2026-03').flatMap((x) => x.people);
    const withAll = people.find((p) => (p.allowance?.amount ?? 0) > 0 && p.department);
    const toppedUp = people.find((p) => (p.fiscalTopUp?.amount ?? 0) > 0);
    for (const p of [withAll, toppedUp]) {
      expect(p).toBeDefined();
      const slip = paySlip(p!);
      expect(slip.items.reduce((a, i) => a + i.amount, 0)).toBe(slip.gross);
      expect(slip.reconciles).toBe(true);
    }
    expect(paySlip(withAll!).items.map((i) => i.key)).toContain('allowance');
    expect(paySlip(toppedUp!).items.map((i) => i.key)).toContain('fiscalTopUp');
    expect(personText(withAll!)).toMatch(/科室 department .* P_d = /);
    expect(personText(toppedUp!)).toMatch(/财政保底补足 fiscal top-up = max\(0, round\(/);
  });

  it('fails to reconcile when a stored allowance differs', () => {
    const period = '2026-03';
    const result = structuredClone(
      year.monthly.get(period)!.find((r) => r.lines.some((l) => (l.allowance ?? 0) > 0))!,
    );
    const line = result.lines.find((l) => (l.allowance ?? 0) > 0)!;
    line.allowance! += 100;
    line.gross += 100;
    const explained = explainInstitution(slice('monthly', period, result.institutionId, [period]), {
      kind: 'monthly',
      result,
    });
    expect(explained.reconciles).toBe(false);
    expect(explained.differences.join()).toContain(line.staffId);
  });
});
