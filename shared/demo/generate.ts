/**
 * Deterministic generator of a realistic demo county (or a multi-county "city" for benchmarks) in
 * dataset format v1 (DOMAIN.md §2). Same options → byte-identical files.
 *
 * Every month's data comes from its own PRNG stream, so a "year so far" dataset (months: 6) holds
 * exactly the same rows for January–June as the full year: importing the full year after locking the
 * first half changes no locked row, as the cumulative import requires.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { luhnCheckDigit } from '../dataset/accounts.js';
import type { InstitutionKind, Post } from '../schemas/dataset.js';
import {
  appliesToKind,
  DEMO_INDICATORS,
  type DemoIndicator,
  dueInMonth,
  type ValueContext,
} from './catalogue.js';
import { coefficient, csv, field, fixed, scaled, yuan } from './format.js';
import { COUNTY_NAMES, GIVEN_CHARS, SURNAMES, TOWN_ROOTS, XINGGUO_TOWNS } from './names.js';
import { Rng } from './prng.js';
import { V2_INDICATOR_ROWS, v2Departments, v2Scheme, v2Secondments, v2ValueRows } from './v2.js';

export interface DemoOptions {
  /** PRNG seed (default 2026). */
  seed?: number;
  /** Target headcount per county (default 3,500); the generated roster has exactly this many people. */
  staff?: number;
  /** Township health centres per county (default 25, as in Xingguo). */
  townships?: number;
  /** The scheme year (default 2026). */
  year?: number;
  /** Counties in one dataset (default 1). Several make a "city" with distinct ids, for benchmarks. */
  counties?: number;
  /** Months of monthly data, 1–12 (default 12): fewer give a "year so far" dataset. */
  months?: number;
  /** Medical-insurance outcome at year end (default surplus). Only written when months = 12. */
  insuranceOutcome?: 'surplus' | 'overspend';
  /**
   * Use every DOMAIN.md §9 addition (default false: format v1, as the bench and the v1 tests expect):
   * departments, the funding-1 floor, the community's own score, a veto, improve and secondments.
   */
  v2?: boolean;
  /**
   * §9.1 the county hospitals' departments split their monthly pools by the rule (default) or by their
   * heads (manual: each month waits for submissions, approvals and the office's close). Only with v2.
   */
  secondary?: 'rule' | 'manual';
}

export const DEMO_DEFAULTS: Required<DemoOptions> = {
  seed: 2026,
  staff: 3500,
  townships: 25,
  year: 2026,
  counties: 1,
  months: 12,
  insuranceOutcome: 'surplus',
  v2: false,
  secondary: 'rule',
};

export const DATASET_FILE_NAMES = [
  'scheme.json',
  'institutions.csv',
  'staff.csv',
  'leaders.csv',
  'indicators.csv',
  'indicator-values.csv',
  'finance.csv',
  'workload.csv',
  'insurance.csv',
  'adjustments.csv',
] as const;
export type DatasetFileName = (typeof DATASET_FILE_NAMES)[number];
/** File name → file text (CSV with header and CRLF rows; scheme.json as pretty JSON). */
export type DatasetFiles = Record<DatasetFileName, string> &
  Partial<Record<'departments.csv' | 'secondments.csv', string>>;

// ---------------------------------------------------------------------------------------------
// Model

interface Person {
  id: string;
  name: string;
  department: string;
  post: Post;
  coefficient: string;
  flags: string;
  basicFen: number;
  bankAccount: string;
  /** Bit m−1 set = no workload row in month m (leave, joined late, left early). */
  absent: number;
  /** Typical monthly work points and quality score of this person. */
  work: number;
  quality: number;
}

interface Member {
  id: string;
  name: string;
  kind: InstitutionKind;
  funding: 1 | 2;
  tier: string;
  servedPopulation: number;
  headcount: number;
  approvedFen: number;
  staff: Person[];
  leaderSalaryFen: number | null;
  /** Appraisal performance: 0 = poor, 1 = meets targets, > 1 = excellent. */
  level: number;
  /** Per-indicator deviation from `level`, in catalogue order. */
  offsets: number[];
  revenueFactor: number;
  costRatio: number;
  /** Quarter (1–4) with a deliberate operating loss, 0 = none. */
  lossQuarter: number;
  /** Month (1–12) in which nothing was submitted (缺报), 0 = none. */
  silentMonth: number;
  /** Annual indicator deliberately left unsubmitted, or null. */
  missingAnnual: string | null;
}

interface County {
  index: number;
  name: string;
  members: Member[];
  residentPopulation: number;
}

// ---------------------------------------------------------------------------------------------
// Reference tables

interface KindPlan {
  kind: InstitutionKind;
  code: string;
  share: number;
  name: (county: string) => string;
}

/** County-level members and their share of the county's headcount (townships take 33% between them). */
const COUNTY_MEMBERS: readonly KindPlan[] = [
  { kind: 'county_hospital', code: 'C01', share: 0.3, name: (c) => `${c}人民医院` },
  { kind: 'county_tcm', code: 'C02', share: 0.14, name: (c) => `${c}中医院` },
  { kind: 'county_mch', code: 'C03', share: 0.09, name: (c) => `${c}妇幼保健院` },
  { kind: 'county_other', code: 'C04', share: 0.09, name: (c) => `${c}第二人民医院` },
  { kind: 'emergency', code: 'E01', share: 0.02, name: (c) => `${c}急救中心` },
  { kind: 'public_health', code: 'P01', share: 0.03, name: (c) => `${c}疾控中心（医防融合中心）` },
];
const TOWNSHIP_SHARE_EACH = 0.33 / 25;

type Roster = ReadonlyArray<readonly [department: string, post: Post, weight: number]>;

// biome-ignore format: a compact table reads better than one entry per line
const ROSTERS: Record<InstitutionKind, Roster> = {
  county_hospital: [
    ['内科', 'doctor', 7], ['内科', 'nurse', 10], ['外科', 'doctor', 6], ['外科', 'nurse', 8],
    ['骨科', 'doctor', 3], ['骨科', 'nurse', 4], ['妇产科', 'doctor', 3], ['妇产科', 'nurse', 5],
    ['儿科', 'doctor', 3], ['儿科', 'nurse', 4], ['急诊科', 'doctor', 3], ['急诊科', 'nurse', 4],
    ['重症医学科', 'doctor', 2], ['重症医学科', 'nurse', 4], ['麻醉科', 'doctor', 3], ['感染科', 'doctor', 1],
    ['感染科', 'nurse', 2], ['医技科', 'medtech', 9], ['医技科', 'doctor', 2], ['护理部', 'nurse', 2],
    ['药剂科', 'pharmacist', 4], ['公卫科', 'public_health', 2], ['行政科', 'admin', 6], ['后勤科', 'logistics', 5],
  ],
  county_tcm: [
    ['中医内科', 'doctor', 7], ['中医内科', 'nurse', 8], ['针灸推拿科', 'doctor', 5], ['针灸推拿科', 'nurse', 2],
    ['骨伤科', 'doctor', 4], ['骨伤科', 'nurse', 5], ['外科', 'doctor', 3], ['外科', 'nurse', 4],
    ['康复科', 'doctor', 2], ['康复科', 'medtech', 3], ['急诊科', 'doctor', 2], ['急诊科', 'nurse', 3],
    ['医技科', 'medtech', 7], ['护理部', 'nurse', 2], ['药剂科', 'pharmacist', 6], ['公卫科', 'public_health', 1],
    ['行政科', 'admin', 5], ['后勤科', 'logistics', 5],
  ],
  county_mch: [
    ['产科', 'doctor', 5], ['产科', 'nurse', 8], ['妇科', 'doctor', 4], ['妇科', 'nurse', 5],
    ['儿科', 'doctor', 4], ['儿科', 'nurse', 5], ['新生儿科', 'doctor', 2], ['新生儿科', 'nurse', 4],
    ['儿童保健科', 'doctor', 3], ['儿童保健科', 'public_health', 2], ['妇女保健科', 'doctor', 2],
    ['妇女保健科', 'public_health', 3], ['医技科', 'medtech', 6], ['护理部', 'nurse', 2],
    ['药剂科', 'pharmacist', 3], ['行政科', 'admin', 5], ['后勤科', 'logistics', 4],
  ],
  county_other: [
    ['内科', 'doctor', 7], ['内科', 'nurse', 9], ['外科', 'doctor', 5], ['外科', 'nurse', 7],
    ['急诊科', 'doctor', 3], ['急诊科', 'nurse', 4], ['康复科', 'doctor', 2], ['康复科', 'medtech', 2],
    ['精神科', 'doctor', 2], ['精神科', 'nurse', 3], ['医技科', 'medtech', 7], ['护理部', 'nurse', 2],
    ['药剂科', 'pharmacist', 4], ['公卫科', 'public_health', 2], ['行政科', 'admin', 5], ['后勤科', 'logistics', 5],
  ],
  township: [
    ['全科医疗科', 'doctor', 12], ['全科医疗科', 'nurse', 10], ['中医科', 'doctor', 4], ['护理部', 'nurse', 5],
    ['公卫科', 'public_health', 10], ['公卫科', 'doctor', 3], ['医技科', 'medtech', 6], ['药剂科', 'pharmacist', 4],
    ['行政科', 'admin', 5], ['后勤科', 'logistics', 4],
  ],
  public_health: [
    ['疾病控制科', 'public_health', 12], ['疾病控制科', 'doctor', 4], ['慢病管理科', 'public_health', 8],
    ['慢病管理科', 'doctor', 3], ['免疫规划科', 'public_health', 6], ['免疫规划科', 'nurse', 3],
    ['健康教育科', 'public_health', 4], ['检验科', 'medtech', 6], ['公卫科', 'public_health', 4],
    ['行政科', 'admin', 6], ['后勤科', 'logistics', 4],
  ],
  emergency: [
    ['院前急救科', 'doctor', 10], ['院前急救科', 'nurse', 10], ['急诊科', 'medtech', 2], ['调度科', 'admin', 5],
    ['后勤科', 'logistics', 8], ['行政科', 'admin', 3],
  ],
  community: [
    ['全科医疗科', 'doctor', 10], ['全科医疗科', 'nurse', 8], ['公卫科', 'public_health', 8], ['行政科', 'admin', 3],
  ],
  village: [['村卫生室', 'village_doctor', 1]],
};

interface PostPlan {
  /** postCoefficient range in hundredths (steps of 0.05). */
  coef: readonly [number, number];
  /** basicMonthly range in yuan at a county-level institution. */
  basic: readonly [number, number];
  /** Typical monthly work points (services performed). */
  work: readonly [number, number];
}

const POSTS: Record<Post, PostPlan> = {
  doctor: { coef: [120, 180], basic: [3800, 6000], work: [900, 2100] },
  nurse: { coef: [100, 130], basic: [3000, 4600], work: [700, 1500] },
  medtech: { coef: [100, 130], basic: [3200, 4800], work: [600, 1400] },
  pharmacist: { coef: [90, 120], basic: [3000, 4500], work: [500, 1100] },
  public_health: { coef: [90, 130], basic: [2800, 4300], work: [500, 1200] },
  admin: { coef: [80, 120], basic: [2800, 4800], work: [300, 700] },
  logistics: { coef: [80, 100], basic: [2000, 3200], work: [250, 600] },
  village_doctor: { coef: [80, 100], basic: [2000, 2800], work: [300, 800] },
};

const HIGH_RISK = new Set([
  '急诊科',
  '重症医学科',
  '麻醉科',
  '产科',
  '妇产科',
  '感染科',
  '院前急救科',
  '外科',
  '骨科',
  '新生儿科',
]);
const SCARCE = new Set(['儿科', '麻醉科', '精神科', '新生儿科', '重症医学科', '全科医疗科']);
// biome-ignore format: a compact table reads better than one entry per line
const BANK_PREFIXES = [
  ['6217', 19], ['6228', 19], ['6222', 19], ['6212', 19], ['6230', 18], ['6214', 16], ['6216', 16], ['6226', 16],
] as const;

/** Monthly eligible service revenue per head (yuan) by kind, and the category mix. */
// biome-ignore format: a compact table reads better than one entry per line
const REVENUE_PER_HEAD: Record<InstitutionKind, number> = {
  county_hospital: 15000, county_tcm: 12000, county_mch: 11000, county_other: 10000,
  township: 5500, community: 5000, village: 3000, public_health: 2500, emergency: 4000,
};
const ELIGIBLE = [
  'consultation',
  'bed',
  'nursing',
  'surgery',
  'treatment',
  'tcm',
  'general_service',
] as const;
// biome-ignore format: a compact table reads better than one entry per line
const MIX: Record<'hospital' | 'tcm' | 'mch' | 'primary' | 'public_health' | 'emergency', readonly number[]> = {
  hospital: [0.1, 0.15, 0.12, 0.2, 0.23, 0.05, 0.15],
  tcm: [0.1, 0.14, 0.1, 0.08, 0.2, 0.28, 0.1],
  mch: [0.12, 0.15, 0.14, 0.16, 0.22, 0.03, 0.18],
  primary: [0.16, 0.12, 0.1, 0.03, 0.27, 0.12, 0.2],
  public_health: [0.3, 0, 0.05, 0, 0.25, 0.05, 0.35],
  emergency: [0.15, 0, 0.15, 0, 0.4, 0, 0.3],
};
// biome-ignore format: a compact table reads better than one entry per line
const mixOf = (kind: InstitutionKind) =>
  kind === 'county_tcm' ? MIX.tcm
  : kind === 'county_mch' ? MIX.mch
  : kind === 'township' || kind === 'community' || kind === 'village' ? MIX.primary
  : kind === 'public_health' ? MIX.public_health
  : kind === 'emergency' ? MIX.emergency
  : MIX.hospital;
/** Drug income relative to eligible service revenue (zero mark-up: drug cost ≈ drug income). */
// biome-ignore format: a compact table reads better than one entry per line
const DRUG_RATIO: Record<InstitutionKind, number> = {
  county_hospital: 0.9, county_tcm: 1.1, county_mch: 0.7, county_other: 0.9,
  township: 1.3, community: 1.2, village: 1.4, public_health: 0.4, emergency: 0.3,
};

/** Seasonal activity (winter respiratory peak, Spring Festival dip in February). */
const SEASON = [1.05, 0.9, 1.0, 0.98, 1.0, 1.0, 1.04, 1.03, 0.98, 0.97, 1.0, 1.06];
/** Working days per month (20–23). */
const SCHEDULED = [21, 20, 22, 22, 20, 21, 23, 21, 22, 20, 21, 23];

// ---------------------------------------------------------------------------------------------
// Building the model

function resolveOptions(options: DemoOptions): Required<DemoOptions> {
  const o = { ...DEMO_DEFAULTS, ...options };
  const intIn = (name: keyof DemoOptions, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`demo option ${name} must be an integer in [${min}, ${max}], got ${value}`);
    }
  };
  intIn('seed', o.seed, -(2 ** 31), 2 ** 32 - 1);
  intIn('townships', o.townships, 1, 200);
  intIn('year', o.year, 2000, 2100);
  intIn('counties', o.counties, 1, 99);
  intIn('months', o.months, 1, 12);
  const minStaff = 2 * (COUNTY_MEMBERS.length + o.townships);
  intIn('staff', o.staff, minStaff, 1_000_000);
  if (o.insuranceOutcome !== 'surplus' && o.insuranceOutcome !== 'overspend') {
    throw new RangeError(
      `demo option insuranceOutcome must be 'surplus' or 'overspend', got ${o.insuranceOutcome}`,
    );
  }
  return o;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Split `total` by weights with largest remainders, then lift every part to at least `min`. */
function allocate(total: number, weights: number[], min: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  for (let i = 0; i < parts.length; i++) {
    while (parts[i]! < min) {
      let largest = 0;
      for (let j = 1; j < parts.length; j++) if (parts[j]! > parts[largest]!) largest = j;
      parts[largest]!--;
      parts[i]!++;
    }
  }
  return parts;
}

function townNames(rng: Rng, countyIndex: number, count: number): string[] {
  const roots = [...new Set(TOWN_ROOTS)];
  const names: string[] = countyIndex === 1 ? [...XINGGUO_TOWNS] : [];
  for (const root of rng.shuffle(roots)) names.push(`${root}${rng.chance(0.45) ? '镇' : '乡'}`);
  const unique = [...new Set(names)];
  for (let i = unique.length; i < count; i++) unique.push(`第${i + 1}乡镇`);
  return unique.slice(0, count);
}

function personName(rng: Rng): string {
  // The product of two uniforms favours the front of the list, as surname frequencies do.
  const surname = SURNAMES[Math.floor(rng.next() * rng.next() * SURNAMES.length)]!;
  const given = rng.chance(0.72) ? rng.pick(GIVEN_CHARS) + rng.pick(GIVEN_CHARS) : rng.pick(GIVEN_CHARS);
  return surname + given;
}

function bankAccount(rng: Rng): string {
  const [prefix, length] = rng.pick(BANK_PREFIXES);
  const digits: string[] = [prefix];
  for (let i = prefix.length; i < length; i++) digits.push(String(rng.int(0, 9)));
  // Card numbers end in a Luhn check digit, which import checks: the last draw is replaced, so the
  // stream of draws (and every other generated value) stays as it was.
  const body = digits.join('').slice(0, -1);
  return body + luhnCheckDigit(body);
}

/**
 * One account per person, as import requires: random card numbers collide now and then once there are
 * hundreds of thousands (a province: ~60 pairs). A repeat moves to the next free number of its length,
 * without drawing, so every dataset that had no repeat (every county and city) stays byte-identical.
 */
export function distinctAccounts(counties: County[]): void {
  const seen = new Set<string>();
  for (const person of counties.flatMap((c) => c.members.flatMap((m) => m.staff))) {
    let account = person.bankAccount;
    while (seen.has(account)) {
      const body = (BigInt(account.slice(0, -1)) + 1n).toString().padStart(account.length - 1, '0');
      account = body + luhnCheckDigit(body);
    }
    seen.add(account);
    person.bankAccount = account;
  }
}

function absences(rng: Rng): number {
  let mask = 0;
  const r = rng.next();
  if (r < 0.012) {
    // leave of 2–5 months (maternity, long sick leave, study)
    const start = rng.int(1, 12);
    const end = Math.min(12, start + rng.int(1, 4));
    for (let m = start; m <= end; m++) mask |= 1 << (m - 1);
  } else if (r < 0.016) {
    const joined = rng.int(2, 11);
    for (let m = 1; m < joined; m++) mask |= 1 << (m - 1);
  } else if (r < 0.019) {
    const left = rng.int(4, 12);
    for (let m = left; m <= 12; m++) mask |= 1 << (m - 1);
  }
  for (let m = 1; m <= 12; m++) if (rng.chance(0.003)) mask |= 1 << (m - 1);
  return mask;
}

function makePerson(rng: Rng, id: string, kind: InstitutionKind, head: boolean): Person {
  const roster = ROSTERS[kind];
  const [department, post] = head
    ? (['行政科', 'doctor'] as const)
    : roster[rng.weighted(roster.map((r) => r[2]))]!;
  const plan = POSTS[post];
  const county = kind.startsWith('county_');
  const flags: string[] = [];
  if (head) {
    flags.push('high_level', 'core');
  } else {
    const clinical = post === 'doctor' || post === 'nurse';
    if (post === 'doctor' && rng.chance(0.04)) flags.push('key');
    if (post === 'doctor' && SCARCE.has(department) && rng.chance(0.3)) flags.push('scarce');
    if (clinical && HIGH_RISK.has(department) && rng.chance(0.3)) flags.push('high_risk');
    if (post === 'doctor' && rng.chance(county ? 0.03 : 0.008)) flags.push('high_level');
    if ((clinical || post === 'medtech') && rng.chance(0.07)) flags.push('core');
  }
  const steps = (plan.coef[1] - plan.coef[0]) / 5;
  const coefHundredths = head ? rng.pick([170, 175, 180]) : plan.coef[0] + 5 * rng.int(0, steps);
  const kindFactor = county ? 1 : kind === 'township' || kind === 'village' ? 0.88 : 0.93;
  const seniority = head ? 1 : rng.next();
  const basicYuan = Math.max(
    2000,
    Math.min(6000, (plan.basic[0] + (plan.basic[1] - plan.basic[0]) * seniority) * kindFactor),
  );
  const basicFen = Math.round(basicYuan / 10) * 1000 + rng.pick([0, 0, 0, 50]);
  return {
    id,
    name: personName(rng),
    department,
    post,
    coefficient: coefficient(coefHundredths),
    flags: flags.join(';'),
    basicFen: Math.min(basicFen, 600000),
    bankAccount: bankAccount(rng),
    absent: head ? 0 : absences(rng),
    work: rng.uniform(plan.work[0], plan.work[1]),
    quality: rng.uniform(78, 96),
  };
}

function buildCounty(seed: number, index: number, o: Required<DemoOptions>): County {
  const prefix = o.counties > 1 ? `D${pad(index, 2)}` : '';
  const name = COUNTY_NAMES[index - 1] ?? `示范${index}县`;
  const rng = Rng.of(seed, 'county', index, 'members');
  const towns = townNames(rng, index, o.townships);

  const plans = COUNTY_MEMBERS.map((p) => ({
    ...p,
    name: p.name(name),
    servedPopulation: 0,
    weight: p.share,
  }));
  const publicHealth = plans.find((p) => p.kind === 'public_health')!;
  publicHealth.servedPopulation = Math.round(rng.int(90000, 130000) / 100) * 100;
  for (let t = 0; t < o.townships; t++) {
    const served = Math.round(rng.int(15000, 40000) / 10) * 10;
    plans.push({
      kind: 'township',
      code: `T${pad(t + 1, 2)}`,
      share: TOWNSHIP_SHARE_EACH,
      name: `${o.counties > 1 ? name : ''}${towns[t]}卫生院`,
      servedPopulation: served,
      weight: TOWNSHIP_SHARE_EACH * (served / 27500) * rng.uniform(0.85, 1.15),
    });
  }
  // Townships share their 33% in proportion to the weights drawn above.
  const townshipWeight = plans.reduce((s, p) => s + (p.kind === 'township' ? p.weight : 0), 0);
  for (const p of plans)
    if (p.kind === 'township') p.weight *= (TOWNSHIP_SHARE_EACH * o.townships) / townshipWeight;
  plans.sort((a, b) => (a.code < b.code ? -1 : 1));
  const headcounts = allocate(
    o.staff,
    plans.map((p) => p.weight),
    2,
  );
  const idWidth = Math.max(4, String(Math.max(...headcounts)).length);

  // Who performs how: most fair to good, one township struggling, one member excellent.
  const townshipIdx = plans.flatMap((p, i) => (p.kind === 'township' ? [i] : []));
  const weakest = rng.pick(townshipIdx);
  let strongest = rng.int(0, plans.length - 1);
  if (strongest === weakest) strongest = (strongest + 1) % plans.length;
  const lossTownship = rng.pick(townshipIdx);
  const silent = rng.int(0, plans.length - 1);
  const missingAnnual = rng.pick(townshipIdx);

  const members: Member[] = plans.map((p, i) => {
    const id = `${prefix}${p.code}`;
    const roster = Rng.of(seed, 'county', index, 'roster', p.code);
    const staff: Person[] = [];
    for (let n = 1; n <= headcounts[i]!; n++)
      staff.push(makePerson(roster, `${id}-${pad(n, idWidth)}`, p.kind, n === 1));
    // Basic share α = 1 − R/T: mostly 0.55–0.70; the emergency centre (公益一类, guaranteed pay) sits above 0.8.
    const alpha = p.kind === 'emergency' ? rng.uniform(0.81, 0.84) : rng.uniform(0.55, 0.7);
    const basicYear = 12 * staff.reduce((s, x) => s + x.basicFen, 0);
    const approvedFen = Math.ceil(basicYear / alpha / 10000) * 10000;
    const level =
      i === weakest
        ? rng.uniform(-0.05, 0.12)
        : i === strongest
          ? rng.uniform(1.05, 1.2)
          : 0.4 + 0.225 * (rng.next() + rng.next());
    const offsets = DEMO_INDICATORS.map(() => rng.normal(0.12));
    const township = p.kind === 'township';
    const leaderSalaryFen =
      p.kind === 'county_hospital'
        ? rng.int(300, 350) * 100000
        : p.kind === 'county_tcm'
          ? rng.int(250, 300) * 100000
          : p.kind === 'county_mch' || p.kind === 'county_other'
            ? rng.int(200, 260) * 100000
            : township && (p.code === 'T01' || rng.chance(0.3))
              ? rng.int(150, 200) * 100000
              : null;
    return {
      id,
      name: p.name,
      kind: p.kind,
      funding: p.kind.startsWith('county_') ? 2 : 1,
      tier: township ? '1.2' : '1.0',
      servedPopulation: p.servedPopulation,
      headcount: staff.length,
      approvedFen: Math.max(approvedFen, basicYear),
      staff,
      leaderSalaryFen,
      level,
      offsets,
      revenueFactor: rng.uniform(0.85, 1.15),
      costRatio: township ? rng.uniform(0.86, 0.96) : rng.uniform(0.82, 0.92),
      lossQuarter: i === lossTownship ? rng.int(1, 4) : 0,
      silentMonth: i === silent ? rng.int(2, 12) : 0,
      missingAnnual: i === missingAnnual ? 'family_doctor_contract' : null,
    };
  });
  const served = members.reduce((s, m) => s + m.servedPopulation, 0);
  const catchment = Math.round(rng.int(20000, 40000) / 100) * 100;
  return { index, name, members, residentPopulation: served + catchment };
}

// ---------------------------------------------------------------------------------------------
// Files

const period = (year: number, month: number) => `${year}-${pad(month, 2)}`;

function schemeJson(o: Required<DemoOptions>, counties: County[]): string {
  const city = o.counties > 1;
  const scheme = {
    community: {
      id: city ? `ganzhou-demo-${o.counties}` : 'xingguo-demo',
      name: city ? `赣州市县域医共体联合体（演示，${o.counties}县）` : '兴国县卫生健康总院（演示）',
      residentPopulation: counties.reduce((s, c) => s + c.residentPopulation, 0),
    },
    year: o.year,
    grades: [
      { min: 90, grade: '优秀', coefficient: 1.1, reserveRelease: 1.0, insuranceGate: 1.0 },
      { min: 80, grade: '良好', coefficient: 1.0, reserveRelease: 1.0, insuranceGate: 0.9 },
      { min: 60, grade: '合格', coefficient: 0.9, reserveRelease: 0.8, insuranceGate: 0.8 },
      { min: 0, grade: '不合格', coefficient: 0.7, reserveRelease: 0.5, insuranceGate: 0.5 },
    ],
    bonusCap: 5,
    pay: {
      holdbackRate: 0.2,
      basicShareRange: [0.5, 0.8],
      growthRate: 0.03,
      tilt: { key: 0.1, scarce: 0.1, high_risk: 0.15, high_level: 0.2, core: 0.1, cap: 1.5 },
      surplus: { fundExtractionRate: 0.4, rewardShare: 0.7 },
    },
    insurance: {
      retentionTiers: [
        { upTo: 0.05, rate: 1.0 },
        { upTo: null, rate: 0.5 },
      ],
      overspendBand: 0.1,
      overspendFundShare: 0.5,
      retainedToPayShare: 0.6,
    },
    publicHealth: { perCapita: '99.00', preAllocationRate: 0.6 },
  };
  return JSON.stringify(o.v2 ? v2Scheme(scheme, o.secondary) : scheme, null, 2);
}

function institutionsCsv(counties: County[]): string {
  const rows: string[] = [];
  for (const c of counties) {
    for (const m of c.members) {
      rows.push(
        `${m.id},${field(m.name)},${m.kind},${m.funding},${m.tier},${m.servedPopulation},${yuan(m.approvedFen)}`,
      );
    }
  }
  return csv('id,name,kind,funding,tier,servedPopulation,approvedTotal', rows);
}

function staffCsv(counties: County[]): string {
  const rows: string[] = [];
  for (const c of counties) {
    for (const m of c.members) {
      for (const p of m.staff) {
        rows.push(
          `${p.id},${field(p.name)},${m.id},${field(p.department)},${p.post},${p.coefficient},${p.flags},${yuan(p.basicFen)},${p.bankAccount}`,
        );
      }
    }
  }
  return csv(
    'staffId,name,institutionId,department,post,postCoefficient,flags,basicMonthly,bankAccount',
    rows,
  );
}

function leadersCsv(counties: County[]): string {
  const rows: string[] = [];
  for (const c of counties) {
    for (const m of c.members)
      if (m.leaderSalaryFen !== null) rows.push(`${m.staff[0]!.id},${yuan(m.leaderSalaryFen)}`);
  }
  return csv('staffId,targetAnnualSalary', rows);
}

function indicatorsCsv(v2: boolean): string {
  const rows = DEMO_INDICATORS.map((k) =>
    [
      k.id,
      field(k.nameZh),
      field(k.nameEn),
      k.dimension,
      k.appliesTo === '*' ? '*' : k.appliesTo.join(';'),
      k.cadence,
      k.direction,
      k.aggregation,
      k.method,
      k.weight,
      k.target ?? '',
      k.floor ?? '',
      k.params ?? '',
    ].join(','),
  );
  return csv(
    'id,nameZh,nameEn,dimension,appliesTo,cadence,direction,aggregation,method,weight,target,floor,params',
    v2 ? [...rows, ...V2_INDICATOR_ROWS] : rows,
  );
}

/** One indicator-value row's value columns: "value,numerator,denominator". */
function inventValue(rng: Rng, k: DemoIndicator, a: number, ctx: ValueContext): string {
  const g = k.gen;
  switch (g.type) {
    case 'ratio': {
      const rate = Math.min(g.max ?? 0.995, Math.max(0.01, g.bad + a * (g.good - g.bad)));
      const den = Math.max(1, Math.round(g.den(ctx) * rng.uniform(0.85, 1.15)));
      const num = Math.min(den, Math.round(den * rate));
      return `,${num},${den}`;
    }
    case 'value': {
      let x = g.bad + a * (g.good - g.bad);
      if (g.min !== undefined) x = Math.max(g.min, x);
      if (g.max !== undefined) x = Math.min(g.max, x);
      return `${fixed(x, g.decimals)},,`;
    }
    case 'count': {
      const bad = g.bad(ctx);
      const mean = bad + a * (g.good(ctx) - bad);
      return `${Math.max(0, Math.round(mean * rng.uniform(0.75, 1.25)))},,`;
    }
    case 'events':
      return `${rng.events(g.base + g.slope * Math.max(0, 1.1 - a))},,`;
    case 'flag':
      return rng.chance(Math.min(0.97, Math.max(0.05, 0.3 + 0.65 * a))) ? '1,,' : '0,,';
  }
}

function indicatorValueRows(seed: number, year: number, month: number, c: County, rows: string[]): void {
  const rng = Rng.of(seed, 'county', c.index, 'values', month);
  const p = period(year, month);
  for (const m of c.members) {
    const ctx: ValueContext = { kind: m.kind, headcount: m.headcount, servedPopulation: m.servedPopulation };
    DEMO_INDICATORS.forEach((k, i) => {
      if (!appliesToKind(k, m.kind) || !dueInMonth(k, month)) return;
      const a = Math.min(1.3, Math.max(-0.1, m.level + m.offsets[i]! + rng.normal(0.06)));
      const values = inventValue(rng, k, a, ctx);
      const late = rng.chance(0.01);
      if (late || m.silentMonth === month || (month === 12 && m.missingAnnual === k.id)) return; // 缺报
      rows.push(`${p},${m.id},${k.id},${values}`);
    });
  }
}

function financeRows(seed: number, year: number, month: number, c: County, rows: string[]): void {
  const rng = Rng.of(seed, 'county', c.index, 'finance', month);
  const p = period(year, month);
  const quarter = Math.ceil(month / 3);
  for (const m of c.members) {
    const revenue =
      m.headcount * REVENUE_PER_HEAD[m.kind] * SEASON[month - 1]! * m.revenueFactor * rng.uniform(0.93, 1.07);
    const mix = mixOf(m.kind);
    let eligibleFen = 0;
    ELIGIBLE.forEach((category, i) => {
      const fen = Math.round(revenue * mix[i]! * rng.uniform(0.85, 1.15) * 100);
      eligibleFen += fen;
      rows.push(`${p},${m.id},${category},${yuan(fen)}`);
    });
    const loss = quarter === m.lossQuarter ? 1.18 : 1;
    const operatingFen = Math.round(eligibleFen * m.costRatio * rng.uniform(0.95, 1.05) * loss);
    const primary = m.kind === 'township' || m.kind === 'village' || m.kind === 'community';
    const drug = Math.round(eligibleFen * DRUG_RATIO[m.kind] * rng.uniform(0.9, 1.1));
    const consumable = Math.round(eligibleFen * (primary ? 0.15 : 0.3) * rng.uniform(0.85, 1.15));
    const exam = Math.round(eligibleFen * (primary ? 0.2 : 0.35) * rng.uniform(0.85, 1.15));
    const lab = Math.round(eligibleFen * (primary ? 0.18 : 0.3) * rng.uniform(0.85, 1.15));
    const drugCost = Math.round(drug * rng.uniform(0.97, 1));
    const consumableCost = Math.round(consumable * rng.uniform(0.97, 1));
    const examLabCost = Math.round((exam + lab) * rng.uniform(0.45, 0.6));
    rows.push(
      `${p},${m.id},drug,${yuan(drug)}`,
      `${p},${m.id},consumable,${yuan(consumable)}`,
      `${p},${m.id},exam,${yuan(exam)}`,
      `${p},${m.id},lab,${yuan(lab)}`,
      `${p},${m.id},drug_cost,${yuan(drugCost)}`,
      `${p},${m.id},consumable_cost,${yuan(consumableCost)}`,
      `${p},${m.id},exam_lab_cost,${yuan(examLabCost)}`,
      `${p},${m.id},operating_cost,${yuan(operatingFen)}`,
    );
  }
}

function workloadRows(seed: number, year: number, month: number, c: County, rows: string[]): void {
  const rng = Rng.of(seed, 'county', c.index, 'workload', month);
  const p = period(year, month);
  const bit = 1 << (month - 1);
  const base = SCHEDULED[month - 1]!;
  const season = SEASON[month - 1]!;
  for (const m of c.members) {
    for (const s of m.staff) {
      if (s.absent & bit) continue;
      const scheduled = Math.min(23, Math.max(20, base + (rng.chance(0.1) ? rng.pick([-1, 1]) : 0)));
      const r = rng.next();
      const attended =
        r < 0.0005
          ? 0
          : r < 0.01
            ? rng.int(3, 10)
            : r < 0.05
              ? scheduled - rng.int(4, 8)
              : r < 0.2
                ? scheduled - rng.int(1, 3)
                : scheduled;
      const points =
        attended === 0
          ? 0
          : Math.round(s.work * season * (0.5 + (0.5 * attended) / scheduled) * rng.uniform(0.88, 1.12));
      const quality = Math.min(1000, Math.max(700, Math.round((s.quality + rng.normal(2.5)) * 10)));
      rows.push(`${p},${s.id},${points},${scaled(quality, 1)},${attended},${scheduled}`);
    }
  }
}

function insuranceCsv(seed: number, o: Required<DemoOptions>, counties: County[]): string {
  const rng = Rng.of(seed, 'insurance');
  const population = counties.reduce((s, c) => s + c.residentPopulation, 0);
  // Roughly ¥950–1,100 of county-managed insurance spending per resident a year.
  const budgetFen = Math.round((population * rng.uniform(950, 1100)) / 10000) * 1000000;
  const surplusRate = rng.uniform(0.02, 0.07);
  const overspendRate = rng.uniform(0.04, 0.12);
  const reasonableShare = rng.uniform(0.55, 0.8);
  let actual = '';
  let reasonable = '';
  if (o.months === 12) {
    if (o.insuranceOutcome === 'surplus') {
      actual = yuan(Math.round(budgetFen * (1 - surplusRate)));
    } else {
      const overspendFen = Math.round(budgetFen * overspendRate);
      actual = yuan(budgetFen + overspendFen);
      reasonable = yuan(Math.round(overspendFen * reasonableShare));
    }
  }
  return csv('year,budget,actual,reasonableOverspend', [
    `${o.year},${yuan(budgetFen)},${actual},${reasonable}`,
  ]);
}

const TOP_UPS = ['夜班费漏发补发', '职称晋升绩效差额补发', '下乡帮扶补贴补发', '工分漏录补发'];
const CLAWBACKS = ['病假期间多发绩效扣回', '值班补贴重复发放扣回', '工分多录扣回'];

function adjustmentRows(seed: number, o: Required<DemoOptions>, c: County, rows: string[]): void {
  const rng = Rng.of(seed, 'county', c.index, 'adjustments');
  const everyone = c.members.flatMap((m) => m.staff);
  const picked: Array<{ month: number; line: string; staffId: string }> = [];
  const count = rng.int(5, 8);
  for (let n = 0; n < count; n++) {
    const month = rng.int(2, 12);
    const ref = rng.int(Math.max(1, month - 3), month - 1);
    let person = rng.pick(everyone);
    for (let tries = 0; tries < 20 && person.absent & ((1 << (month - 1)) | (1 << (ref - 1))); tries++) {
      person = rng.pick(everyone);
    }
    const topUp = rng.chance(0.6);
    const fen = topUp
      ? rng.int(100, 1500) * 100 + rng.pick([0, 50])
      : -(rng.int(50, 800) * 100 + rng.pick([0, 50]));
    const reason = `${ref}月${rng.pick(topUp ? TOP_UPS : CLAWBACKS)}`;
    if (month > o.months || person.absent & (1 << (month - 1))) continue;
    picked.push({
      month,
      staffId: person.id,
      line: `${period(o.year, month)},${person.id},${yuan(fen)},${field(reason)},${period(o.year, ref)}`,
    });
  }
  picked.sort((a, b) => a.month - b.month || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  for (const x of picked) rows.push(x.line);
}

/**
 * Generate a demo dataset in format v1. With defaults: 兴国县卫生健康总院（演示）, 31 members, 3,500 staff,
 * twelve months of 2026.
 */
export function generateCounty(options: DemoOptions = {}): DatasetFiles {
  const o = resolveOptions(options);
  const counties: County[] = [];
  for (let i = 1; i <= o.counties; i++) counties.push(buildCounty(o.seed, i, o));
  distinctAccounts(counties);

  // Each county-month is joined into one flat chunk at once: holding ~420k small row strings (a city's
  // workload) until the end costs seconds of garbage collection.
  const values: string[] = [];
  const finance: string[] = [];
  const workload: string[] = [];
  const chunk = (into: string[], fill: (rows: string[]) => void) => {
    const rows: string[] = [];
    fill(rows);
    if (rows.length > 0) into.push(rows.join('\r\n'));
  };
  for (let month = 1; month <= o.months; month++) {
    for (const c of counties) {
      chunk(values, (rows) => indicatorValueRows(o.seed, o.year, month, c, rows));
      chunk(finance, (rows) => financeRows(o.seed, o.year, month, c, rows));
      chunk(workload, (rows) => workloadRows(o.seed, o.year, month, c, rows));
    }
  }
  const members = counties.flatMap((c) => c.members);
  const communityId = o.counties > 1 ? `ganzhou-demo-${o.counties}` : 'xingguo-demo';
  if (o.v2) values.push(v2ValueRows(communityId, members, o.year, o.months).join('\r\n'));
  const adjustments: string[] = [];
  const perCounty = counties.map((c) => {
    const rows: string[] = [];
    adjustmentRows(o.seed, o, c, rows);
    return rows;
  });
  // Sorted by period first, then staff id (ids are county-prefixed, so county order is id order).
  for (let month = 1; month <= o.months; month++) {
    const p = `${period(o.year, month)},`;
    for (const rows of perCounty) for (const line of rows) if (line.startsWith(p)) adjustments.push(line);
  }

  return {
    'scheme.json': schemeJson(o, counties),
    'institutions.csv': institutionsCsv(counties),
    'staff.csv': staffCsv(counties),
    'leaders.csv': leadersCsv(counties),
    'indicators.csv': indicatorsCsv(o.v2),
    'indicator-values.csv': csv('period,institutionId,indicatorId,value,numerator,denominator', values),
    'finance.csv': csv('period,institutionId,category,amount', finance),
    'workload.csv': csv('period,staffId,workPoints,quality,attendedDays,scheduledDays', workload),
    'insurance.csv': insuranceCsv(o.seed, o, counties),
    'adjustments.csv': csv('period,staffId,amount,reason,refPeriod', adjustments),
    ...(o.v2
      ? {
          'departments.csv': v2Departments(members),
          'secondments.csv': v2Secondments(counties[0]!.members, o.year),
        }
      : {}),
  };
}

/** Write generated files into `dir` (created if needed), one file per entry, UTF-8 without BOM. */
export async function writeDataset(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text, 'utf8')));
}
