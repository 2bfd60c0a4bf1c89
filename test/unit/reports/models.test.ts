import { describe, expect, it } from 'vitest';
import { annualAppraisalReport } from '../../../shared/reports/annual.js';
import { quarterlyBulletinReport } from '../../../shared/reports/bulletin.js';
import { monthlyDispatchReport } from '../../../shared/reports/monthly.js';
import {
  AnnualAppraisalReport,
  MonthlyDispatchReport,
  QuarterlyBulletinReport,
} from '../../../shared/reports/schemas.js';
import { GRADES, scheme } from '../domain/builders.js';
import {
  dataset,
  FORMULA_NAME,
  monthly,
  quarter,
  SCRIPT_NAME,
  STAFF_TRAP,
  storedMonthlyReport,
  year,
} from './builders.js';

describe('monthly dispatch report (调度表)', () => {
  const report = monthlyDispatchReport(monthly('2026-03'));

  it('matches its schema', () => {
    expect(() => MonthlyDispatchReport.parse(report)).not.toThrow();
  });

  it('keeps every field of the stored REPORT document, so nothing that read report.json loses anything', () => {
    const stored = storedMonthlyReport('2026-03');
    expect(report).toMatchObject({
      period: stored.period,
      revision: stored.revision,
      datasetVersion: stored.datasetVersion,
    });
    expect(report.totals).toMatchObject(stored.totals);
    for (const [i, s] of stored.institutions.entries()) expect(report.institutions[i]).toMatchObject(s);
  });

  it('names the missing submissions and the roster staff without a workload row', () => {
    const c01 = report.institutions.find((i) => i.institutionId === 'C01')!;
    expect(c01.name).toBe(SCRIPT_NAME);
    expect(c01.dispatch.missingSubmissions).toEqual(['records']);
    expect(report.indicators.map((i) => i.indicatorId)).toEqual(['records', 'tele', 'visits']);
    expect(report.staff).toEqual([
      { staffId: 'C01-002', name: STAFF_TRAP, institutionId: 'C01', department: '外科' },
    ]);
    const warning = report.warnings.find((w) => w.code === 'missing_submissions')!;
    expect(warning.institutionId).toBe('C01');
    expect(warning.message).toContain('电子健康档案<使用率>');
  });

  it('warns about a basic share outside the scheme range, in percent, with the range', () => {
    const w = report.warnings.filter((x) => x.code === 'basic_share_out_of_range');
    expect(w).toHaveLength(1);
    expect(w[0]!.institutionId).toBe('T01');
    expect(w[0]!.message).toContain('92.31%'); // 12/13
    expect(w[0]!.message).toContain('50.00%–80.00%');
    expect(report.institutions.find((i) => i.institutionId === 'C01')!.basicSharePercent).toBe('66.00');
  });

  it('warns when a month had no points and its pool went to the reserve, and about staff without workload', () => {
    expect(report.warnings.map((w) => `${w.institutionId}:${w.code}`).sort()).toEqual([
      'C01:missing_submissions',
      'C01:staff_without_workload',
      'T01:basic_share_out_of_range',
      'T01:undistributed_pool',
    ]);
  });

  it('gives the year-to-date status of every indicator with its attainment, counted per status', () => {
    const c01 = report.institutions.find((i) => i.institutionId === 'C01')!;
    expect(c01.yearToDate).toEqual([
      {
        indicatorId: 'visits',
        value: '0.58',
        missing: false,
        score: '7.99',
        weight: '10.00',
        attainmentPercent: '79.9',
        status: 'red',
      },
      {
        indicatorId: 'records',
        value: null,
        missing: true,
        score: '0.00',
        weight: '5.00',
        attainmentPercent: '0.0',
        status: 'grey',
      },
      {
        indicatorId: 'tele',
        value: '15.00',
        missing: false,
        score: '0.75',
        weight: '3.00',
        attainmentPercent: '25.0',
        status: 'red',
      },
    ]);
    expect(c01.statusCounts).toEqual({ green: 0, amber: 0, red: 2, grey: 1 });
  });

  it('totals the pools from the institutions and names its source cycle', () => {
    expect(report.totals.pool).toBe(283_334 + 16_667);
    expect(report.totals.distributable).toBe(226_667 + 13_334);
    expect(report.source).toMatchObject({
      kind: 'monthly',
      period: '2026-03',
      revision: 2,
      datasetVersion: 3,
      schemeYear: 2026,
      approvedBy: null,
    });
  });
});

describe('quarterly bulletin (通报)', () => {
  const q1 = quarter(1);
  const q2 = quarter(2);
  const report = quarterlyBulletinReport(q2, [q1, q2]);

  it('matches its schema', () => {
    expect(() => QuarterlyBulletinReport.parse(report)).not.toThrow();
  });

  it('puts the institutions graded 不合格 on the red list, and only them', () => {
    expect(report.redListGrade).toBe('不合格');
    expect(report.redList).toEqual([
      {
        institutionId: 'T01',
        name: FORMULA_NAME,
        score: '55.25',
        grade: '不合格',
        peerGroup: 'primary',
        rank: 1,
      },
    ]);
    expect(report.institutions.filter((i) => i.redListed).map((i) => i.institutionId)).toEqual(['T01']);
    expect(quarterlyBulletinReport(q1, [q1]).redList).toEqual([]);
  });

  it('takes the red-list grade from the scheme: the lowest band, whatever it is called', () => {
    const renamed = scheme({ grades: GRADES.map((g) => (g.grade === '不合格' ? { ...g, grade: 'D' } : g)) });
    const q = {
      ...q2,
      dataset: dataset({ scheme: renamed }),
      bulletin: q2.bulletin.map((r) => (r.grade === '不合格' ? { ...r, grade: 'D' } : r)),
    };
    expect(quarterlyBulletinReport(q, [q1, q]).redList.map((r) => r.institutionId)).toEqual(['T01']);
  });

  it('ranks within peer groups and measures the change against the previous quarter', () => {
    expect(report.peerGroups.map((g) => [g.peerGroup, g.institutionIds])).toEqual([
      ['county', ['C01']],
      ['primary', ['T01']],
      ['centre', ['P01']],
    ]);
    const c01 = report.institutions.find((i) => i.institutionId === 'C01')!;
    expect(c01).toMatchObject({ rank: 1, peerCount: 1, change: '2.50', previousScore: '72.00' });
    expect(report.previous).toMatchObject({ period: '2026-Q1', revision: 1 });
    expect(quarterlyBulletinReport(q1, [q1, q2]).previous).toBeNull();
  });

  it('draws the trend from Q1 up to this quarter, never a later one', () => {
    expect(report.trend.periods).toEqual(['2026-Q1', '2026-Q2']);
    expect(report.trend.series.find((s) => s.institutionId === 'T01')!.scores).toEqual(['65.00', '55.25']);
    expect(quarterlyBulletinReport(q1, [q1, q2]).trend.periods).toEqual(['2026-Q1']);
  });

  it('cuts attainment so a red 79.96 % never prints as 80.0 %', () => {
    const tele = report.institutions[0]!.indicators.find((l) => l.indicatorId === 'tele')!;
    expect(tele).toMatchObject({ attainmentPercent: '79.9', status: 'red' });
    expect(report.institutions[0]!.missingIndicators).toEqual(['records']);
  });

  it('sums the surplus pools and what was paid from them', () => {
    expect(report.totals).toEqual({
      surplus: 1_000_000,
      fundExtraction: 400_000,
      pool: 420_000,
      allocated: 420_000,
      undistributed: 0,
    });
    expect(report.institutions.find((i) => i.institutionId === 'C01')!.paidStaff).toBe(1);
    expect(report.institutions.find((i) => i.institutionId === 'T01')!.paidStaff).toBe(0);
    expect(report.source.approvedBy).toBe('finance1');
  });
});

describe('annual appraisal and settlement report', () => {
  const data = year();
  const report = annualAppraisalReport(data);
  const pool = (kind: string, id: string) =>
    report.lineage.find((p) => p.pool === kind && p.institutionId === id)!;

  it('matches its schema', () => {
    expect(() => AnnualAppraisalReport.parse(report)).not.toThrow();
  });

  it('traces the reserve to each month lock: period, revision, dataset version, scheme — and the parts add up', () => {
    const reserve = pool('reserve', 'C01');
    expect(reserve.amount).toBe(680_004);
    expect(reserve.sources).toHaveLength(12);
    expect(reserve.sources.reduce((n, s) => n + (s.amount ?? 0), 0)).toBe(reserve.amount);
    expect(reserve.sources[2]).toMatchObject({
      kind: 'monthly',
      period: '2026-03',
      revision: 2,
      datasetVersion: 2,
      schemeYear: 2026,
      schemeHash: 'feedfacefeedface',
    });
    expect(reserve.sources[11]).toMatchObject({
      period: '2026-12',
      revision: 1,
      datasetVersion: 3,
      schemeHash: 'abc123def4567890',
    });
    const t01 = pool('reserve', 'T01');
    expect(t01.sources.reduce((n, s) => n + (s.amount ?? 0), 0)).toBe(t01.amount);
  });

  it('traces monthly reward and quarterly surplus pools to every cycle that made them', () => {
    const monthlyPool = pool('monthly_reward', 'C01');
    expect(monthlyPool.sources.map((s) => s.period)).toEqual(data.monthly.map((m) => m.cycle.period));
    expect(monthlyPool.amount).toBe(12 * 283_334);
    const surplus = pool('quarterly_surplus', 'C01');
    expect(surplus.sources.map((s) => [s.period, s.revision, s.amount])).toEqual([
      ['2026-Q1', 1, 420_000],
      ['2026-Q2', 1, 420_000],
    ]);
  });

  it('shows the annual bonus pool as released reserve plus the insurance pay part, both from the annual cycle', () => {
    const bonus = pool('annual_bonus', 'T01');
    expect(bonus.amount).toBe(149_996);
    expect(bonus.sources.map((s) => s.amount)).toEqual([99_996, 50_000]);
    expect(
      bonus.sources.every((s) => s.kind === 'annual' && s.period === '2026' && s.datasetVersion === 3),
    ).toBe(true);
    expect(pool('reserve_released', 'T01').sources[0]!.what).toContain('× 0.50');
  });

  it('lists every kind of pool for each settled institution, public health per row and each leader', () => {
    for (const id of ['C01', 'T01']) {
      expect(new Set(report.lineage.filter((p) => p.institutionId === id).map((p) => p.pool))).toEqual(
        new Set([
          'monthly_reward',
          'quarterly_surplus',
          'reserve',
          'reserve_released',
          'insurance_pay_part',
          'annual_bonus',
          'next_approved_total',
          'public_health',
          ...(id === 'C01' ? ['leader_salary'] : []),
        ]),
      );
    }
    const leader = report.lineage.find((p) => p.pool === 'leader_salary')!;
    expect(leader).toMatchObject({ staffId: 'C01-001', amount: 18_000_000 });
    expect(leader.sources[0]).toMatchObject({ amount: 20_000_000, kind: 'annual' });
  });

  it('reports grades, coefficients, the red list and next year totals per institution', () => {
    expect(
      report.institutions.map((i) => [
        i.institutionId,
        i.grade,
        i.coefficient,
        i.redListed,
        i.approvedTotal,
        i.nextApprovedTotal,
      ]),
    ).toEqual([
      ['C01', '合格', '0.90', false, 10_000_000, 9_000_000],
      ['T01', '不合格', '0.70', true, 2_600_000, 1_820_000],
    ]);
    expect(report.leaders).toEqual([
      {
        staffId: 'C01-001',
        name: '张三',
        institutionId: 'C01',
        institutionName: SCRIPT_NAME,
        targetAnnualSalary: 20_000_000,
        coefficient: '0.90',
        salary: 18_000_000,
      },
    ]);
  });

  it('sums what each institution paid over the year from the monthly, quarterly and annual cycles', () => {
    const c01 = report.institutions.find((i) => i.institutionId === 'C01')!;
    expect(c01.paidInYear).toEqual({
      basic: 12 * 300_000,
      reward: 12 * 226_667,
      adjustment: 12 * -12_050,
      quarterlySurplus: 840_000,
      annualBonus: 644_003,
    });
    expect(report.totals.paidInYear.annualBonus).toBe(644_003 + 149_996);
    expect(report.totals.leaderSalaries).toBe(18_000_000);
  });

  it('draws the trend Q1..Q4 from the quarterly bulletins that exist', () => {
    expect(report.trend.periods).toEqual(['2026-Q1', '2026-Q2']);
    expect(report.trend.series.map((s) => s.institutionId)).toEqual(['C01', 'T01']);
  });

  it('warns about a defaulted public-health quality only where it moves money', () => {
    expect(report.warnings).toEqual([]);
    const defaulted = year();
    defaulted.annual!.settlement.publicHealth.rows[1]!.qualityDefaulted = true;
    expect(annualAppraisalReport(defaulted).warnings.map((w) => w.institutionId)).toEqual(['T01']);
  });

  it('refuses a year without a completed annual cycle', () => {
    expect(() => annualAppraisalReport({ ...data, annual: null })).toThrow(/annual/);
  });
});
