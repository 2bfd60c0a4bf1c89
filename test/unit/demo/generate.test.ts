import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DATASET_FILE_NAMES,
  type DatasetFiles,
  DEMO_INDICATORS,
  dueInMonth,
  generateCounty,
  writeDataset,
} from '../../../shared/demo/index.js';
import { FINANCE_CATEGORIES, INSTITUTION_KINDS, METHODS } from '../../../shared/schemas/dataset.js';
import { approxScores, type Row, rows } from './helpers.js';

const TINY = join(import.meta.dirname, '../../fixtures/tiny/dataset');
const AMOUNT = /^-?\d+(\.\d{1,2})?$/;

/** Yuan text with at most 2 decimals → integer fen, exactly. */
function fen(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not an amount: ${text}`);
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -value : value;
}

const month = (period: string) => Number(period.slice(5));

interface Parsed {
  institutions: Row[];
  staff: Row[];
  leaders: Row[];
  indicators: Row[];
  values: Row[];
  finance: Row[];
  workload: Row[];
  insurance: Row[];
  adjustments: Row[];
}

function parseAll(files: DatasetFiles): Parsed {
  return {
    institutions: rows(files['institutions.csv']),
    staff: rows(files['staff.csv']),
    leaders: rows(files['leaders.csv']),
    indicators: rows(files['indicators.csv']),
    values: rows(files['indicator-values.csv']),
    finance: rows(files['finance.csv']),
    workload: rows(files['workload.csv']),
    insurance: rows(files['insurance.csv']),
    adjustments: rows(files['adjustments.csv']),
  };
}

let files: DatasetFiles;
let d: Parsed;

beforeAll(() => {
  files = generateCounty();
  d = parseAll(files);
});

describe('generateCounty: determinism', () => {
  it('gives byte-identical files for the same options', () => {
    const again = generateCounty({ seed: 2026 });
    for (const name of DATASET_FILE_NAMES) expect(again[name] === files[name], name).toBe(true);
  });

  it('gives different data for a different seed', () => {
    const other = generateCounty({ seed: 7 });
    for (const name of ['staff.csv', 'indicator-values.csv', 'finance.csv', 'workload.csv'] as const) {
      expect(other[name] === files[name], name).toBe(false);
    }
  });

  it('gives a year-so-far dataset whose rows are exactly the first months of the full year', () => {
    const half = generateCounty({ months: 6 });
    for (const name of [
      'scheme.json',
      'institutions.csv',
      'staff.csv',
      'leaders.csv',
      'indicators.csv',
    ] as const) {
      expect(half[name] === files[name], name).toBe(true);
    }
    for (const name of ['indicator-values.csv', 'finance.csv', 'workload.csv', 'adjustments.csv'] as const) {
      const full = files[name].split('\r\n');
      const firstHalf = full.filter((line, i) => i === 0 || line === '' || month(line.slice(0, 7)) <= 6);
      expect(half[name] === firstHalf.join('\r\n'), name).toBe(true);
      expect(half[name].split('\r\n').length, name).toBeGreaterThan(1);
    }
    const periods = new Set(rows(half['workload.csv']).map((r) => r.period));
    expect([...periods]).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
  });
});

describe('generateCounty: format v1', () => {
  it('writes every dataset file with the same header as the tiny example and CRLF rows', () => {
    expect(Object.keys(files).sort()).toEqual([...DATASET_FILE_NAMES].sort());
    for (const name of DATASET_FILE_NAMES) {
      if (name === 'scheme.json') continue;
      const header = readFileSync(join(TINY, name), 'utf8').split('\r\n')[0];
      expect(files[name].split('\r\n')[0], name).toBe(header);
      expect(files[name].endsWith('\r\n'), name).toBe(true);
      expect(/[^\r]\n/.test(files[name]), name).toBe(false);
    }
  });

  it('writes a scheme.json with the same structure as the tiny example', () => {
    const shape = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(shape)
        : x !== null && typeof x === 'object'
          ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shape(v)]))
          : typeof x;
    const scheme = JSON.parse(files['scheme.json']);
    const tiny = JSON.parse(readFileSync(join(TINY, 'scheme.json'), 'utf8'));
    expect(shape(scheme)).toEqual(shape(tiny));
    expect(scheme.community).toMatchObject({ id: 'xingguo-demo', name: '兴国县卫生健康总院（演示）' });
    expect(scheme.year).toBe(2026);
    expect(scheme.grades.map((g: { grade: string }) => g.grade)).toEqual(['优秀', '良好', '合格', '不合格']);
    const served = d.institutions.reduce((s, r) => s + Number(r.servedPopulation), 0);
    expect(scheme.community.residentPopulation).toBeGreaterThan(served);
    expect(scheme.community.residentPopulation).toBeLessThan(served * 1.1);
  });

  it('writes every amount with at most two decimals', () => {
    const amounts = [
      ...d.institutions.map((r) => r.approvedTotal!),
      ...d.staff.map((r) => r.basicMonthly!),
      ...d.leaders.map((r) => r.targetAnnualSalary!),
      ...d.finance.map((r) => r.amount!),
      ...d.adjustments.map((r) => r.amount!),
      ...d.insurance.flatMap((r) => [r.budget!, r.actual!]),
    ];
    expect(amounts.length).toBeGreaterThan(5000);
    for (const a of amounts) expect(a).toMatch(AMOUNT);
  });

  it('writes only digits, 16 to 19 of them, in bank accounts', () => {
    for (const s of d.staff) expect(s.bankAccount).toMatch(/^\d{16,19}$/);
  });
});

describe('generateCounty: institutions and staff', () => {
  it('builds the 31 members of a Xingguo-like community with the right funding, tier and population', () => {
    const kinds = new Map<string, number>();
    for (const i of d.institutions) kinds.set(i.kind!, (kinds.get(i.kind!) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({
      county_hospital: 1,
      county_tcm: 1,
      county_mch: 1,
      county_other: 1,
      emergency: 1,
      public_health: 1,
      township: 25,
    });
    for (const i of d.institutions) {
      const hospital = i.kind!.startsWith('county_');
      expect(i.funding, i.id).toBe(hospital ? '2' : '1');
      expect(i.tier, i.id).toBe(i.kind === 'township' ? '1.2' : '1.0');
      const served = Number(i.servedPopulation);
      if (i.kind === 'township') {
        expect(served).toBeGreaterThanOrEqual(15000);
        expect(served).toBeLessThanOrEqual(40000);
        expect(i.name).toMatch(/^.+[镇乡]卫生院$/);
      } else if (i.kind === 'public_health') {
        expect(served).toBeGreaterThan(40000);
      } else {
        expect(served).toBe(0);
      }
    }
    expect(new Set(d.institutions.map((i) => i.name)).size).toBe(31);
  });

  it('has exactly the requested headcount, the lead hospital holding about 30%', () => {
    expect(d.staff).toHaveLength(3500);
    const lead = d.staff.filter((s) => s.institutionId === 'C01').length;
    expect(lead / 3500).toBeCloseTo(0.3, 2);
    const small = generateCounty({ staff: 1200, townships: 10, seed: 3 });
    expect(rows(small['staff.csv'])).toHaveLength(1200);
    expect(rows(small['institutions.csv'])).toHaveLength(16);
  });

  it('numbers staff per institution and gives them plausible posts, coefficients, flags and pay', () => {
    const ids = new Set<string>();
    for (const s of d.staff) {
      expect(s.staffId).toMatch(new RegExp(`^${s.institutionId}-\\d{4}$`));
      ids.add(s.staffId!);
      expect(s.name).toMatch(/^\p{Script=Han}{2,4}$/u);
      expect(s.department).not.toBe('');
      expect(['doctor', 'nurse', 'medtech', 'pharmacist', 'public_health', 'admin', 'logistics']).toContain(
        s.post,
      );
      expect(s.postCoefficient).toMatch(/^\d\.\d{1,2}$/);
      const coef = Number(s.postCoefficient);
      expect(coef).toBeGreaterThanOrEqual(0.8);
      expect(coef).toBeLessThanOrEqual(1.8);
      const basic = fen(s.basicMonthly!);
      expect(basic).toBeGreaterThanOrEqual(200000);
      expect(basic).toBeLessThanOrEqual(600000);
      const flags = s.flags === '' ? [] : s.flags!.split(';');
      expect(new Set(flags).size).toBe(flags.length);
      for (const f of flags) expect(['key', 'scarce', 'high_risk', 'high_level', 'core']).toContain(f);
    }
    expect(ids.size).toBe(d.staff.length);
    const flagged = d.staff.filter((s) => s.flags !== '').length;
    expect(flagged / d.staff.length).toBeLessThan(0.35); // mostly empty
    expect(flagged).toBeGreaterThan(100);
    const doctors = d.staff.filter((s) => s.post === 'doctor').map((s) => Number(s.postCoefficient));
    const logistics = d.staff.filter((s) => s.post === 'logistics').map((s) => Number(s.postCoefficient));
    expect(Math.min(...doctors)).toBeGreaterThan(Math.max(...logistics));
  });

  it('approves a total of at least 12 × basic pay for every institution, with the basic share mostly in [0.5, 0.8]', () => {
    const basic = new Map<string, number>();
    for (const s of d.staff)
      basic.set(s.institutionId!, (basic.get(s.institutionId!) ?? 0) + fen(s.basicMonthly!));
    let outside = 0;
    for (const i of d.institutions) {
      const basicYear = 12 * basic.get(i.id!)!;
      const total = fen(i.approvedTotal!);
      expect(total, i.id).toBeGreaterThanOrEqual(basicYear);
      const alpha = basicYear / total;
      if (alpha < 0.5 || alpha > 0.8) outside++;
      else expect(1 - alpha, i.id).toBeGreaterThanOrEqual(0.29);
    }
    expect(outside).toBeLessThanOrEqual(1); // the one deliberate warning
  });

  it('lists the heads of the four hospitals and some townships as leaders on an annual salary', () => {
    const staffById = new Map(d.staff.map((s) => [s.staffId!, s]));
    const kinds = d.leaders.map(
      (l) => d.institutions.find((i) => i.id === staffById.get(l.staffId!)!.institutionId)!.kind,
    );
    expect(kinds.filter((k) => k!.startsWith('county_'))).toHaveLength(4);
    expect(kinds.filter((k) => k === 'township').length).toBeGreaterThanOrEqual(1);
    expect(kinds.filter((k) => k === 'township').length).toBeLessThan(25);
    for (const l of d.leaders) {
      const salary = fen(l.targetAnnualSalary!);
      expect(salary).toBeGreaterThanOrEqual(15_000_000);
      expect(salary).toBeLessThanOrEqual(35_000_000);
    }
  });

  it('resolves every reference: staff, leaders, values, finance, workload and adjustments', () => {
    const institutionIds = new Set(d.institutions.map((i) => i.id));
    const staffIds = new Set(d.staff.map((s) => s.staffId));
    const indicatorIds = new Set(d.indicators.map((k) => k.id));
    expect(institutionIds.size).toBe(d.institutions.length);
    expect(indicatorIds.size).toBe(d.indicators.length);
    expect(d.staff.filter((s) => !institutionIds.has(s.institutionId))).toEqual([]);
    expect(d.leaders.filter((l) => !staffIds.has(l.staffId))).toEqual([]);
    expect(
      d.values.filter((v) => !institutionIds.has(v.institutionId) || !indicatorIds.has(v.indicatorId)),
    ).toEqual([]);
    expect(d.finance.filter((f) => !institutionIds.has(f.institutionId))).toEqual([]);
    expect(d.workload.filter((w) => !staffIds.has(w.staffId))).toEqual([]);
    expect(d.adjustments.filter((a) => !staffIds.has(a.staffId))).toEqual([]);
  });
});

describe('generateCounty: indicators', () => {
  it('uses all eight scoring methods and only known kinds, and gives every kind a set of indicators', () => {
    expect(d.indicators.length).toBeGreaterThanOrEqual(18);
    // The eight methods of §3; §9.4's improve is in the demo only with the v2 option (test/unit/demo/v2.test.ts).
    expect(new Set(d.indicators.map((k) => k.method))).toEqual(
      new Set(METHODS.filter((m) => m !== 'improve')),
    );
    const present = new Set(d.institutions.map((i) => i.kind));
    for (const kind of present) {
      const applicable = d.indicators.filter(
        (k) => k.method !== 'bonus' && (k.appliesTo === '*' || k.appliesTo!.split(';').includes(kind!)),
      );
      expect(applicable.length, kind).toBeGreaterThanOrEqual(4);
    }
    for (const k of d.indicators) {
      if (k.appliesTo === '*') continue;
      for (const kind of k.appliesTo!.split(';')) expect(INSTITUTION_KINDS).toContain(kind);
    }
  });

  it('uses the seed policies’ targets', () => {
    const target = (id: string) => d.indicators.find((k) => k.id === id)?.target;
    expect(target('county_visit_rate')).toBe('0.90');
    expect(target('county_inpatient_rate')).toBe('0.85');
    expect(target('primary_visit_share')).toBe('0.65');
    expect(target('gp_per_10k')).toBe('2');
    expect(target('core_trained')).toBe('3');
    expect(target('seconded_staff')).toBe('5');
  });

  it('submits values only in months their cadence asks for, in the shape their aggregation needs', () => {
    const byId = new Map(DEMO_INDICATORS.map((k) => [k.id, k]));
    for (const v of d.values) {
      const k = byId.get(v.indicatorId!)!;
      expect(dueInMonth(k, month(v.period!)), `${v.indicatorId} in ${v.period}`).toBe(true);
      if (k.aggregation === 'ratio') {
        expect(v.value).toBe('');
        expect(Number(v.denominator)).toBeGreaterThan(0);
        expect(Number(v.numerator)).toBeLessThanOrEqual(Number(v.denominator));
      } else {
        expect(v.value).toMatch(/^\d+(\.\d+)?$/);
        expect(v.numerator).toBe('');
        expect(v.denominator).toBe('');
      }
    }
    const quarterly = d.values.filter((v) => byId.get(v.indicatorId!)!.cadence === 'quarterly');
    expect(new Set(quarterly.map((v) => v.period))).toEqual(
      new Set(['2026-03', '2026-06', '2026-09', '2026-12']),
    );
    const annual = d.values.filter((v) => byId.get(v.indicatorId!)!.cadence === 'annual');
    expect(new Set(annual.map((v) => v.period))).toEqual(new Set(['2026-12']));
    const monthly = d.values.filter((v) => byId.get(v.indicatorId!)!.cadence === 'monthly');
    expect(new Set(monthly.map((v) => v.period)).size).toBe(12);
  });

  it('leaves a few submissions missing (缺报), and only a few', () => {
    let expected = 0;
    for (const i of d.institutions) {
      for (const k of DEMO_INDICATORS) {
        if (k.appliesTo !== '*' && !k.appliesTo.includes(i.kind as never)) continue;
        for (let m = 1; m <= 12; m++) if (dueInMonth(k, m)) expected++;
      }
    }
    const missing = expected - d.values.length;
    expect(missing).toBeGreaterThanOrEqual(5);
    expect(missing / expected).toBeLessThan(0.05);
    const keys = new Set(d.values.map((v) => `${v.period}|${v.institutionId}|${v.indicatorId}`));
    expect(keys.size).toBe(d.values.length);
  });

  it('spreads the annual scores over the grades: some 优秀, most 良好 or 合格, at least one 不合格', () => {
    const scores = approxScores(files, 1, 12);
    const count = (grade: string) => scores.filter((s) => s.grade === grade).length;
    expect(count('优秀')).toBeGreaterThanOrEqual(1);
    expect(count('不合格')).toBeGreaterThanOrEqual(1);
    expect(count('不合格')).toBeLessThanOrEqual(3);
    expect(count('良好') + count('合格')).toBeGreaterThan(scores.length / 2);
    expect(scores.some((s) => s.missing.length > 0)).toBe(true); // an annual 缺报 shows in the report
  });
});

describe('generateCounty: monthly data', () => {
  it('gives every institution-month every finance category, mostly in surplus, with a loss quarter somewhere', () => {
    const perKey = new Map<string, Set<string>>();
    const surplus = new Map<string, number>();
    const eligible = new Set([
      'consultation',
      'bed',
      'nursing',
      'surgery',
      'treatment',
      'tcm',
      'general_service',
    ]);
    for (const f of d.finance) {
      const key = `${f.period}|${f.institutionId}`;
      const set = perKey.get(key) ?? new Set<string>();
      if (set.size === 0) perKey.set(key, set);
      set.add(f.category!);
      expect(fen(f.amount!)).toBeGreaterThanOrEqual(0);
      const q = `${f.institutionId}|Q${Math.ceil(month(f.period!) / 3)}`;
      const sign = eligible.has(f.category!) ? 1 : f.category === 'operating_cost' ? -1 : 0;
      surplus.set(q, (surplus.get(q) ?? 0) + sign * fen(f.amount!));
    }
    expect(perKey.size).toBe(31 * 12);
    for (const set of perKey.values()) expect(set).toEqual(new Set(FINANCE_CATEGORIES));
    const quarters = [...surplus.values()];
    const losses = quarters.filter((s) => s <= 0).length;
    expect(losses).toBeGreaterThanOrEqual(1);
    expect(losses / quarters.length).toBeLessThan(0.15);
  });

  it('gives one workload row per person per month, with a few people missing in some months', () => {
    const keys = new Set<string>();
    // Plain checks collected first: 40k rows × six expect() calls would take seconds.
    const bad = d.workload.filter((w) => {
      keys.add(`${w.period}|${w.staffId}`);
      const quality = Number(w.quality);
      const scheduled = Number(w.scheduledDays);
      const attended = Number(w.attendedDays);
      return !(
        /^\d+$/.test(w.workPoints!) &&
        /^\d{2,3}\.\d$/.test(w.quality!) &&
        quality >= 70 &&
        quality <= 100 &&
        scheduled >= 20 &&
        scheduled <= 23 &&
        /^\d+$/.test(w.attendedDays!) &&
        attended <= scheduled
      );
    });
    expect(bad).toEqual([]);
    expect(keys.size).toBe(d.workload.length);
    const absent = 3500 * 12 - d.workload.length;
    expect(absent).toBeGreaterThan(0);
    expect(absent / (3500 * 12)).toBeLessThan(0.03);
  });

  it('writes an insurance surplus by default, an overspend on request, and no actual before year end', () => {
    const [surplus] = d.insurance;
    expect(d.insurance).toHaveLength(1);
    expect(surplus!.year).toBe('2026');
    const budget = fen(surplus!.budget!);
    expect(budget).toBeGreaterThanOrEqual(50_000_000_000);
    expect(budget).toBeLessThanOrEqual(100_000_000_000);
    expect(fen(surplus!.actual!)).toBeLessThan(budget);
    expect(fen(surplus!.actual!)).toBeGreaterThan(budget * 0.9);
    expect(surplus!.reasonableOverspend).toBe('');

    const [over] = rows(generateCounty({ insuranceOutcome: 'overspend' })['insurance.csv']);
    expect(over!.budget).toBe(surplus!.budget);
    const overspend = fen(over!.actual!) - budget;
    expect(overspend).toBeGreaterThan(0);
    expect(fen(over!.reasonableOverspend!)).toBeGreaterThan(0);
    expect(fen(over!.reasonableOverspend!)).toBeLessThan(overspend);

    const [sofar] = rows(generateCounty({ months: 9 })['insurance.csv']);
    expect(sofar!.budget).toBe(surplus!.budget);
    expect(sofar!.actual).toBe('');
  });

  it('writes a handful of signed adjustments that correct an earlier month of the same year for someone on the payroll', () => {
    expect(d.adjustments.length).toBeGreaterThanOrEqual(3);
    expect(d.adjustments.length).toBeLessThanOrEqual(10);
    const payroll = new Set(d.workload.map((w) => `${w.period}|${w.staffId}`));
    for (const a of d.adjustments) {
      expect(a.refPeriod! < a.period!).toBe(true);
      expect(a.refPeriod!.startsWith('2026-')).toBe(true);
      expect(a.reason).toMatch(/(补发|扣回)$/);
      expect(fen(a.amount!) > 0).toBe(a.reason!.endsWith('补发'));
      expect(payroll.has(`${a.period}|${a.staffId}`)).toBe(true);
    }
  });
});

describe('generateCounty: options', () => {
  it('rejects options it cannot honour with a message naming the option', () => {
    expect(() => generateCounty({ months: 13 })).toThrow(/months/);
    expect(() => generateCounty({ staff: 10 })).toThrow(/staff/);
    expect(() => generateCounty({ counties: 0 })).toThrow(/counties/);
  });

  it('builds a ten-county city of 35,000 staff with distinct ids in a few seconds', () => {
    const started = performance.now();
    const city = generateCounty({ counties: 10 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(10_000);
    const institutions = rows(city['institutions.csv']);
    expect(institutions).toHaveLength(310);
    expect(new Set(institutions.map((i) => i.id)).size).toBe(310);
    expect(new Set(institutions.map((i) => i.name)).size).toBe(310);
    const staffLines = city['staff.csv'].split('\r\n').slice(1, -1);
    expect(staffLines).toHaveLength(35000);
    expect(new Set(staffLines.map((l) => l.slice(0, l.indexOf(',')))).size).toBe(35000);
    const workloadLines = city['workload.csv'].split('\r\n').length - 2;
    expect(workloadLines).toBeGreaterThan(400_000);
    expect(workloadLines).toBeLessThanOrEqual(420_000);
    expect(JSON.parse(city['scheme.json']).community.id).not.toBe('xingguo-demo');
  });
});

describe('writeDataset', () => {
  it('writes each file into the folder so that it reads back byte for byte', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    try {
      const small = generateCounty({ staff: 400, townships: 5, months: 2 });
      await writeDataset(join(dir, 'nested'), small);
      for (const name of DATASET_FILE_NAMES) {
        expect(await readFile(join(dir, 'nested', name), 'utf8'), name).toBe(small[name]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('accounts at any scale', () => {
  it('moves a repeated card number to the next free one of its length, still passing Luhn', async () => {
    const { distinctAccounts } = await import('../../../shared/demo/generate.js');
    const { luhnCheckDigit, luhnValid } = await import('../../../shared/dataset/accounts.js');
    const card = (body: string) => body + luhnCheckDigit(body);
    const repeated = card('622202020000000000');
    const other = card('621700000000000001');
    const person = (bankAccount: string) => ({ bankAccount });
    const first = [person(repeated), person(repeated)];
    const second = [person(repeated), person(other)];
    const counties = [first, second].map((staff, index) => ({
      index,
      name: `c${index}`,
      residentPopulation: 1,
      members: [{ staff }],
    }));
    distinctAccounts(counties as unknown as Parameters<typeof distinctAccounts>[0]);
    const accounts = [...first, ...second].map((p) => p.bankAccount);
    expect(new Set(accounts).size).toBe(4);
    expect(accounts[0]).toBe(repeated);
    expect(accounts.slice(1, 3)).toEqual([card('622202020000000001'), card('622202020000000002')]);
    expect(accounts[3]).toBe(other);
    for (const account of accounts) {
      expect(account).toHaveLength(19);
      expect(luhnValid(account)).toBe(true);
    }
  });
});
