/**
 * Why this amount, over the golden year: every person's monthly gross, quarterly surplus reward and
 * annual bonus of test/fixtures/tiny is recomputed from the explanation alone — its dataset factors, its
 * pool derivation and its largest-remainder line — with arithmetic written here, and must equal the
 * expected files to the fen. Every institution's score is recomputed from its indicator lines the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fraction from 'fraction.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDatasetDir } from '../../../shared/dataset/index.js';
import { DatasetIndex } from '../../../shared/domain/dataset-index.js';
import { monthsOfQuarter, monthsOfYear } from '../../../shared/domain/periods.js';
import { computeYear, type YearResults } from '../../../shared/domain/year.js';
import {
  type ExplainKind,
  explainInstitution,
  explainPerson,
  type InstitutionExplanation,
  type InstitutionSlice,
  type PersonExplanation,
  type StoredResults,
} from '../../../shared/reports/explain.js';
import type { Dataset } from '../../../shared/schemas/dataset.js';

const fixture = join(import.meta.dirname, '../../fixtures/tiny');
const expected = (file: string) => JSON.parse(readFileSync(join(fixture, 'expected', file), 'utf8'));
/** "1234.56" → 123456 fen, read as text (no float). */
const fen = (yuan: string) => {
  const [whole, cents = ''] = yuan.replace('-', '').split('.');
  const value = Number(whole) * 100 + Number(cents.padEnd(2, '0'));
  return yuan.startsWith('-') ? -value : value;
};

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

beforeAll(async () => {
  const parsed = await readDatasetDir(join(fixture, 'dataset'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  dataset = parsed.dataset;
  year = computeYear(dataset);
  ix = new DatasetIndex(dataset);
});

function slice(kind: ExplainKind, period: string, institutionId: string, months: string[]): InstitutionSlice {
  const institution = dataset.institutions.find((i) => i.id === institutionId)!;
  return {
    lineage: { communityId: 'tiny', kind, period, revision: 1, datasetVersion: 1 },
    scheme: dataset.scheme,
    institution,
    roster: ix.roster(institutionId),
    months,
    workload: ix.workload(institutionId, months),
    adjustments: kind === 'monthly' ? ix.adjustments(institutionId, period) : [],
    finance: ix.finance(institutionId, months),
    values: ix.values(institutionId),
    indicators: dataset.indicators,
  };
}

function explainAll(kind: ExplainKind, period: string) {
  return dataset.institutions.map((institution) => {
    const id = institution.id;
    let months: string[];
    let stored: StoredResults;
    if (kind === 'monthly') {
      months = [period];
      stored = { kind, result: year.monthly.get(period)!.find((r) => r.institutionId === id)! };
    } else if (kind === 'quarterly') {
      const q = year.quarterly.get(period)!;
      months = monthsOfQuarter(dataset.scheme.year, Number(period.slice(-1)) as 1);
      stored = {
        kind,
        score: q.institutions.find((s) => s.institutionId === id)!,
        allocation: q.allocations.find((a) => a.institutionId === id)!,
      };
    } else {
      months = monthsOfYear(dataset.scheme.year);
      const score = year.annual.institutions.find((s) => s.institutionId === id)!;
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
                  score: settled.institutions.find((s) => s.institutionId === i.id)!.score,
                  headcount: ix.roster(i.id).length,
                  tier: i.tier,
                })),
              }
            : null,
      };
    }
    const s = slice(kind, period, id, months);
    const explained = explainInstitution(s, stored);
    const people = explained.lines.map((l) => explainPerson(s, explained, l.staffId)!);
    return { explained, people };
  });
}

/** Points of a person from the explanation's rows: workPoints × quality/100 × attended/scheduled × coefficient × tilt. */
function recomputePoints(p: PersonExplanation): Fraction {
  let total = F(0);
  for (const row of p.points.rows) {
    const raised = row.flags.reduce((acc, f) => acc.add(F(f.rate)), F(1));
    const t = raised.compare(F(row.tiltCap)) > 0 ? F(row.tiltCap) : raised;
    expect(t.equals(F(row.tilt.exact))).toBe(true);
    const pts = F(row.workPoints)
      .mul(F(row.quality))
      .div(100)
      .mul(F(row.attendedDays))
      .div(F(row.scheduledDays))
      .mul(F(row.postCoefficient))
      .mul(t);
    expect(pts.equals(F(row.points.exact))).toBe(true);
    total = total.add(pts);
  }
  return total;
}

/** The pool of the explanation's derivation, recomputed from its inputs. */
function recomputePool(e: Pick<PersonExplanation, 'pool'>): number {
  const pool = e.pool;
  if (pool.kind === 'monthly') {
    const R = pool.approvedTotal - 12 * pool.basicMonthlyTotal;
    expect(R).toBe(pool.rewardTotal);
    const base = Math.floor(R / 12);
    const M = base + (pool.month <= R - base * 12 ? 1 : 0);
    expect(M).toBe(pool.pool);
    const H = round(F(M).mul(F(pool.holdbackRate)));
    expect(H).toBe(pool.holdback);
    return M - H;
  }
  if (pool.kind === 'quarterly') {
    const S = pool.revenue.reduce((a, r) => a + r.amount, 0) - pool.operatingCost; // excluded categories never enter
    expect(S).toBe(pool.surplus);
    if (S <= 0) return 0;
    const Fx = round(F(S).mul(F(pool.fundExtractionRate)));
    expect(Fx).toBe(pool.fundExtraction);
    return round(F(S - Fx).mul(F(pool.rewardShare)));
  }
  const A = pool.reserveMonths.reduce((a, m) => a + m.holdback + m.undistributed, 0);
  expect(A).toBe(pool.reserve);
  const released = round(F(A).mul(F(pool.reserveRelease)));
  let insurance = 0;
  if (pool.insurance) {
    const i = pool.insurance;
    const w = F(i.score).mul(i.headcount).mul(F(i.tier));
    expect(w.equals(F(i.weight.exact))).toBe(true);
    const share = F(i.payPart).mul(w).div(F(i.totalWeight.exact));
    insurance = floor(share) + i.split.extraFen;
  }
  return released + insurance;
}

/** A largest-remainder share from the explanation: floor(pool × pts / Σpts) + the leftover fen it was given. */
function recomputeShare(p: PersonExplanation, pool: number, points: Fraction): number {
  if (!p.share || points.n === 0n) return 0;
  expect(points.equals(F(p.share.weight.exact))).toBe(true);
  const share = F(pool).mul(points).div(F(p.split.totalWeight.exact));
  expect(share.equals(F(p.share.exactShare.exact))).toBe(true);
  // The leftover fen go to the largest remainders: this line got one exactly when its place is within them.
  const extra = p.share.remainderRank !== null && p.share.remainderRank <= p.split.leftover ? 1 : 0;
  return floor(share) + extra;
}

function checkInstitution(e: InstitutionExplanation) {
  expect(e.differences).toEqual([]);
  expect(e.reconciles).toBe(true);
  // The split hands out exactly the pool (or leaves it undistributed when nobody has points).
  const handedOut = e.lines.reduce((a, l) => a + l.amount, 0);
  expect(handedOut + e.split.undistributed).toBe(e.split.pool);
  const totalPoints = e.lines.reduce((a, l) => a.add(F(l.points.exact)), F(0));
  if (e.split.undistributed === 0) expect(totalPoints.equals(F(e.split.totalWeight.exact))).toBe(true);
}

describe('why this amount: the golden year recomputed from its explanations', () => {
  it.each(monthsOfYear(2026))('monthly %s: every gross to the fen', (period) => {
    const rows = expected(`monthly/${period}/paysheet.json`) as { staffId: string; gross: string }[];
    const all = explainAll('monthly', period);
    const recomputed = new Map<string, number>();
    for (const { explained, people } of all) {
      checkInstitution(explained);
      for (const p of people) {
        const D = recomputePool(p);
        const reward = recomputeShare(p, D, recomputePoints(p));
        const basic = p.basic?.onPayroll ? p.staff.basicMonthly : 0;
        const adjustment = p.adjustments.reduce((a, x) => a + x.amount, 0);
        recomputed.set(p.staff.staffId, basic + reward + adjustment);
      }
    }
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect([row.staffId, recomputed.get(row.staffId)]).toEqual([row.staffId, fen(row.gross)]);
    expect(recomputed.size).toBe(rows.length);
  });

  it.each(['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'])(
    'quarterly %s: every surplus reward and score',
    (period) => {
      const rows = expected(`quarterly/${period}/paysheet.json`) as {
        staffId: string;
        quarterlySurplus: string;
      }[];
      const bulletin = expected(`quarterly/${period}/bulletin.json`) as {
        institutions: { institutionId: string; score: string; pool: string }[];
      };
      const all = explainAll('quarterly', period);
      const recomputed = new Map<string, number>();
      for (const { explained, people } of all) {
        checkInstitution(explained);
        const published = bulletin.institutions.find((b) => b.institutionId === explained.institution.id)!;
        expect(recomputeScore(explained)).toBe(published.score);
        expect(recomputePool(explained)).toBe(fen(published.pool));
        for (const p of people)
          recomputed.set(p.staff.staffId, recomputeShare(p, recomputePool(p), recomputePoints(p)));
      }
      for (const row of rows)
        expect([row.staffId, recomputed.get(row.staffId)]).toEqual([row.staffId, fen(row.quarterlySurplus)]);
    },
  );

  it('annual 2026: every bonus, pool and score', () => {
    const rows = expected('annual/2026/paysheet.json') as { staffId: string; annualBonus: string }[];
    const appraisal = expected('annual/2026/appraisal.json') as {
      institutions: { institutionId: string; score: string; annualBonusPool: string; reserve: string }[];
    };
    const recomputed = new Map<string, number>();
    for (const { explained, people } of explainAll('annual', '2026')) {
      checkInstitution(explained);
      const published = appraisal.institutions.find((b) => b.institutionId === explained.institution.id)!;
      expect(recomputeScore(explained)).toBe(published.score);
      expect(recomputePool(explained)).toBe(fen(published.annualBonusPool));
      for (const p of people)
        recomputed.set(p.staff.staffId, recomputeShare(p, recomputePool(p), recomputePoints(p)));
    }
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows)
      expect([row.staffId, recomputed.get(row.staffId)]).toEqual([row.staffId, fen(row.annualBonus)]);
  });

  it('names each adjustment with its reason and the period it corrects', () => {
    const people = explainAll('monthly', '2026-06').flatMap((x) => x.people);
    const p = people.find((x) => x.staff.staffId === 'C01-001')!;
    expect(p.adjustments).toEqual([{ amount: -12050, reason: '3月多发夜班费扣回', refPeriod: '2026-03' }]);
  });

  it('fails to reconcile when the stored line differs from the recomputation', () => {
    const s = slice('monthly', '2026-03', 'C01', ['2026-03']);
    const result = structuredClone(year.monthly.get('2026-03')!.find((r) => r.institutionId === 'C01')!);
    result.lines[0]!.reward += 1;
    result.lines[0]!.gross += 1;
    const explained = explainInstitution(s, { kind: 'monthly', result });
    expect(explained.reconciles).toBe(false);
    expect(explained.differences[0]).toContain(result.lines[0]!.staffId);
  });
});

/** S = min(100, 100·Σs/Σw + min(cap, Σbonus)), rounded half-up to 2 decimals, from the indicator lines. */
function recomputeScore(e: InstitutionExplanation): string {
  const score = e.score!;
  let weights = F(0);
  let scores = F(0);
  let bonus = F(0);
  for (const i of score.indicators) {
    if (i.missing) expect(F(i.score.exact).equals(0)).toBe(true);
    if (i.numerator && i.denominator && !i.missing)
      expect(F(i.numerator.exact).div(F(i.denominator.exact)).equals(F(i.value!.exact))).toBe(true);
    if (i.bonus) bonus = bonus.add(F(i.score.exact));
    else {
      weights = weights.add(F(i.weight));
      scores = scores.add(F(i.score.exact));
    }
  }
  const capped = bonus.compare(F(score.bonusCap)) > 0 ? F(score.bonusCap) : bonus;
  let s = (weights.n === 0n ? F(0) : scores.mul(100).div(weights)).add(capped);
  if (s.compare(100) > 0) s = F(100);
  const cents = round(s.mul(100));
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
