/**
 * What a simulated scheme changes (模拟测算): the year's figures under the scheme in force against the
 * same periods under a draft — per person, per institution, for the community — and the §8.1 files of
 * the simulated year. Pure: the caller hands both years in (simulation.ts reads and computes them).
 */

import {
  annualPaysheetJson,
  appraisalJson,
  bulletinJson,
  monthlyPaysheetJson,
  quarterlyPaysheetJson,
} from '../results/contract.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  BulletinRow,
  MonthlyInstitutionResult,
  PoolAllocation,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';

/** The figures of the periods a simulation covers; the same shape for the actual and the simulated year. */
export interface YearFigures {
  monthly: Map<string, MonthlyInstitutionResult[]>;
  quarterly: Map<
    string,
    { institutions: QuarterlyInstitutionResult[]; bulletin: BulletinRow[]; allocations: PoolAllocation[] }
  >;
  annual: {
    institutions: AnnualInstitutionResult[];
    settlement: AnnualSettlementResult;
    allocations: PoolAllocation[];
  } | null;
}

/** Every §8.1 file of the figures, path → JSON value (the contract functions a real run's writer uses). */
export function contractFiles(figures: YearFigures, year: number): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const [period, results] of figures.monthly)
    files.set(`monthly/${period}/paysheet.json`, monthlyPaysheetJson(period, results));
  for (const [period, q] of figures.quarterly) {
    files.set(`quarterly/${period}/bulletin.json`, bulletinJson(q.bulletin));
    files.set(`quarterly/${period}/paysheet.json`, quarterlyPaysheetJson(q.allocations));
  }
  if (figures.annual) {
    const { institutions, settlement, allocations } = figures.annual;
    files.set(`annual/${year}/appraisal.json`, appraisalJson(institutions, settlement));
    files.set(`annual/${year}/paysheet.json`, annualPaysheetJson(allocations));
  }
  return files;
}

export const COMPONENTS = ['basic', 'reward', 'adjustment', 'quarterlySurplus', 'annualBonus'] as const;
export type Component = (typeof COMPONENTS)[number];
type Amounts = Record<Component | 'gross', number>;

const zero = (): Amounts => ({
  basic: 0,
  reward: 0,
  adjustment: 0,
  quarterlySurplus: 0,
  annualBonus: 0,
  gross: 0,
});

interface PersonTotals {
  institutionId: string;
  amounts: Amounts;
}

/** Each person's pay over the figures' periods, by component (fen). */
function personTotals(figures: YearFigures): Map<string, PersonTotals> {
  const people = new Map<string, PersonTotals>();
  const add = (institutionId: string, staffId: string, component: Component, fen: number) => {
    let person = people.get(staffId);
    if (!person) {
      person = { institutionId, amounts: zero() };
      people.set(staffId, person);
    }
    person.amounts[component] += fen;
    person.amounts.gross += fen;
  };
  for (const results of figures.monthly.values()) {
    for (const r of results) {
      for (const line of r.lines) {
        add(r.institutionId, line.staffId, 'basic', line.basic);
        add(r.institutionId, line.staffId, 'reward', line.reward);
        add(r.institutionId, line.staffId, 'adjustment', line.adjustment);
      }
    }
  }
  for (const q of figures.quarterly.values())
    for (const a of q.allocations)
      for (const line of a.lines) add(a.institutionId, line.staffId, 'quarterlySurplus', line.amount);
  for (const a of figures.annual?.allocations ?? [])
    for (const line of a.lines) add(a.institutionId, line.staffId, 'annualBonus', line.amount);
  return people;
}

/** An institution's pools over the periods (fen), and its latest score, grade and coefficient. */
interface InstitutionFigures {
  score: string | null;
  grade: string | null;
  coefficient: string | null;
  pools: {
    monthlyReward: number;
    holdback: number;
    undistributed: number;
    quarterlySurplus: number;
    reserveReleased: number;
    annualBonus: number;
    nextApprovedTotal: number | null;
  };
  paid: number;
}

function institutionFigures(figures: YearFigures): Map<string, InstitutionFigures> {
  const out = new Map<string, InstitutionFigures>();
  const get = (id: string) => {
    let f = out.get(id);
    if (!f) {
      f = {
        score: null,
        grade: null,
        coefficient: null,
        pools: {
          monthlyReward: 0,
          holdback: 0,
          undistributed: 0,
          quarterlySurplus: 0,
          reserveReleased: 0,
          annualBonus: 0,
          nextApprovedTotal: null,
        },
        paid: 0,
      };
      out.set(id, f);
    }
    return f;
  };
  for (const results of figures.monthly.values()) {
    for (const r of results) {
      const f = get(r.institutionId);
      f.pools.monthlyReward += r.distributable - r.undistributed;
      f.pools.holdback += r.holdback;
      f.pools.undistributed += r.undistributed;
      f.paid += r.lines.reduce((acc, l) => acc + l.gross, 0);
    }
  }
  // Quarters in period order: the latest quarter's score stands when there is no annual appraisal.
  for (const period of [...figures.quarterly.keys()].sort()) {
    for (const s of figures.quarterly.get(period)!.institutions) {
      const f = get(s.institutionId);
      f.score = s.score;
      f.grade = s.grade;
      f.coefficient = s.coefficient;
      f.pools.quarterlySurplus += s.pool;
    }
  }
  for (const q of figures.quarterly.values())
    for (const a of q.allocations) get(a.institutionId).paid += a.pool - a.undistributed;
  if (figures.annual) {
    for (const s of figures.annual.settlement.institutions) {
      const f = get(s.institutionId);
      f.score = s.score;
      f.grade = s.grade;
      f.coefficient = s.coefficient;
      f.pools.reserveReleased = s.reserveReleased;
      f.pools.annualBonus = s.annualBonusPool;
      f.pools.nextApprovedTotal = s.nextApprovedTotal;
    }
    for (const a of figures.annual.allocations) get(a.institutionId).paid += a.pool - a.undistributed;
  }
  return out;
}

export interface PersonDiff {
  staffId: string;
  institutionId: string;
  actual: number;
  simulated: number;
  difference: number;
  components: Record<Component, { actual: number; simulated: number; difference: number }>;
}

export interface InstitutionDiff {
  institutionId: string;
  actual: InstitutionFigures;
  simulated: InstitutionFigures;
  /** Σ simulated − Σ actual paid to its staff over the periods (fen). */
  paidDifference: number;
}

export interface DistributionBucket {
  /** Inclusive lower bound in fen, null = unbounded. */
  from: number | null;
  /** Exclusive upper bound in fen, null = unbounded. */
  to: number | null;
  label: string;
  count: number;
}

export interface SimulationDiff {
  people: PersonDiff[];
  institutions: InstitutionDiff[];
  community: {
    actual: { paid: number; communityScore: string | null; communityGrade: string | null };
    simulated: { paid: number; communityScore: string | null; communityGrade: string | null };
    difference: number;
  };
  counts: { people: number; winners: number; losers: number; unchanged: number };
  distribution: DistributionBucket[];
  /** Differences in fen: smallest, median, largest (0 when nobody is paid). */
  summary: { min: number; median: number; max: number };
  /** §8.1 files whose simulated content differs from the actual one. */
  changedFiles: string[];
}

/** Bucket edges in yuan, symmetric around 0 (0 itself is its own bucket: "unchanged"). */
const EDGES_YUAN = [100, 500, 1000, 2000, 5000];

function distribution(differences: readonly number[]): DistributionBucket[] {
  const edges = EDGES_YUAN.map((y) => y * 100);
  const buckets: DistributionBucket[] = [];
  const yuan = (fen: number) => String(fen / 100);
  // Losses: (−∞, −5000), [−5000, −2000) … [−100, 0); then 0; then gains (0, 100] … (5000, ∞).
  buckets.push({ from: null, to: -edges.at(-1)!, label: `< −${yuan(edges.at(-1)!)}`, count: 0 });
  for (let i = edges.length - 1; i >= 0; i--) {
    const from = -edges[i]!;
    const to = i === 0 ? 0 : -edges[i - 1]!;
    buckets.push({ from, to, label: `−${yuan(edges[i]!)} … ${to === 0 ? '0' : `−${yuan(-to)}`}`, count: 0 });
  }
  buckets.push({ from: 0, to: 1, label: '0', count: 0 });
  for (let i = 0; i < edges.length; i++) {
    const from = i === 0 ? 1 : edges[i - 1]! + 1;
    buckets.push({
      from,
      to: edges[i]! + 1,
      label: `${i === 0 ? '0' : yuan(edges[i - 1]!)} … ${yuan(edges[i]!)}`,
      count: 0,
    });
  }
  buckets.push({ from: edges.at(-1)! + 1, to: null, label: `> ${yuan(edges.at(-1)!)}`, count: 0 });
  for (const d of differences) {
    const bucket = buckets.find((b) => (b.from === null || d >= b.from) && (b.to === null || d < b.to));
    bucket!.count++;
  }
  return buckets;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function diffYears(year: number, actual: YearFigures, simulated: YearFigures): SimulationDiff {
  const before = personTotals(actual);
  const after = personTotals(simulated);
  const staffIds = [...new Set([...before.keys(), ...after.keys()])];
  const people: PersonDiff[] = staffIds
    .map((staffId) => {
      const a = before.get(staffId);
      const s = after.get(staffId);
      const amountsA = a?.amounts ?? zero();
      const amountsS = s?.amounts ?? zero();
      const components = Object.fromEntries(
        COMPONENTS.map((c) => [
          c,
          { actual: amountsA[c], simulated: amountsS[c], difference: amountsS[c] - amountsA[c] },
        ]),
      ) as PersonDiff['components'];
      return {
        staffId,
        institutionId: (s ?? a)!.institutionId,
        actual: amountsA.gross,
        simulated: amountsS.gross,
        difference: amountsS.gross - amountsA.gross,
        components,
      };
    })
    .sort((x, y) =>
      x.institutionId < y.institutionId
        ? -1
        : x.institutionId > y.institutionId
          ? 1
          : x.staffId < y.staffId
            ? -1
            : 1,
    );

  const instA = institutionFigures(actual);
  const instS = institutionFigures(simulated);
  const institutions = [...new Set([...instA.keys(), ...instS.keys()])].sort().map((institutionId) => {
    const a = instA.get(institutionId)!;
    const s = instS.get(institutionId)!;
    return { institutionId, actual: a, simulated: s, paidDifference: s.paid - a.paid };
  });

  const paid = (m: Map<string, InstitutionFigures>) => [...m.values()].reduce((acc, f) => acc + f.paid, 0);
  const differences = people.map((p) => p.difference).sort((x, y) => x - y);
  const filesA = contractFiles(actual, year);
  const filesS = contractFiles(simulated, year);
  const changedFiles = [...new Set([...filesA.keys(), ...filesS.keys()])]
    .filter((path) => !sameJson(filesA.get(path), filesS.get(path)))
    .sort();
  return {
    people,
    institutions,
    community: {
      actual: {
        paid: paid(instA),
        communityScore: actual.annual?.settlement.communityScore ?? null,
        communityGrade: actual.annual?.settlement.communityGrade ?? null,
      },
      simulated: {
        paid: paid(instS),
        communityScore: simulated.annual?.settlement.communityScore ?? null,
        communityGrade: simulated.annual?.settlement.communityGrade ?? null,
      },
      difference: paid(instS) - paid(instA),
    },
    counts: {
      people: people.length,
      winners: people.filter((p) => p.difference > 0).length,
      losers: people.filter((p) => p.difference < 0).length,
      unchanged: people.filter((p) => p.difference === 0).length,
    },
    distribution: distribution(differences),
    summary: {
      min: differences[0] ?? 0,
      median: differences[Math.floor(differences.length / 2)] ?? 0,
      max: differences.at(-1) ?? 0,
    },
    changedFiles,
  };
}
