/**
 * A small hand-built year of stored results for the report tests: three institutions (a county hospital
 * whose name is a script tag, a township whose name is a formula, a public-health centre), a few staff
 * with bank accounts, one monthly cycle per month, two quarters and the annual settlement. Amounts are
 * chosen so every total can be checked by hand; hostile text is there on purpose.
 */
import type { MonthlyReport } from '../../../shared/app/reports.js';
import type {
  DatasetContext,
  MonthlyCycleData,
  QuarterlyCycleData,
  YearData,
} from '../../../shared/reports/sources.js';
import type { Indicator, Staff } from '../../../shared/schemas/dataset.js';
import type {
  AnnualSettlementResult,
  IndicatorResult,
  QuarterlyInstitutionResult,
} from '../../../shared/schemas/results.js';
import type { CycleRecord, MonthLock } from '../../../shared/store/cycles.js';
import type { CycleKind } from '../../../shared/store/keys.js';
import { indicator, institution, scheme, staff } from '../domain/builders.js';

export const SCRIPT_NAME = '<script>alert("x")</script>县医院';
export const FORMULA_NAME = '=1+2乡镇卫生院';
export const STAFF_TRAP = '<img src=x onerror=alert(1)>';
export const ACCOUNTS = {
  'C01-001': '6222021234567891234',
  'T01-001': '6222000011112222333',
  'P01-001': '6217001234000056789',
};

const INDICATORS: Indicator[] = [
  indicator({ id: 'visits', nameZh: '基层诊疗人次占比', weight: '10' }),
  indicator({
    id: 'records',
    nameZh: '电子健康档案<使用率>',
    cadence: 'quarterly',
    weight: '5',
    dimension: 'public_health',
  }),
  indicator({ id: 'tele', nameZh: '远程会诊', method: 'bonus', weight: '3', params: '0.05' }),
];

const STAFF: Staff[] = [
  staff('C01-001', {
    institutionId: 'C01',
    name: '张三',
    department: '内科',
    bankAccount: ACCOUNTS['C01-001'],
    basicMonthly: 300000,
  }),
  staff('C01-002', { institutionId: 'C01', name: STAFF_TRAP, department: '外科', basicMonthly: 250000 }),
  staff('T01-001', {
    institutionId: 'T01',
    name: '李四',
    post: 'village_doctor',
    bankAccount: ACCOUNTS['T01-001'],
    basicMonthly: 200000,
  }),
  staff('P01-001', {
    institutionId: 'P01',
    name: '王五',
    post: 'public_health',
    bankAccount: ACCOUNTS['P01-001'],
    basicMonthly: 180000,
  }),
];

export function dataset(overrides: Partial<DatasetContext> = {}): DatasetContext {
  return {
    communityId: 'xingguo',
    version: 3,
    scheme: scheme(),
    schemeHash: 'abc123def4567890',
    institutions: [
      institution({ id: 'C01', name: SCRIPT_NAME, kind: 'county_hospital', approvedTotal: 10_000_000 }),
      institution({
        id: 'T01',
        name: FORMULA_NAME,
        kind: 'township',
        approvedTotal: 2_600_000,
        servedPopulation: 600,
      }),
      institution({
        id: 'P01',
        name: '县疾控中心',
        kind: 'public_health',
        approvedTotal: 3_000_000,
        servedPopulation: 400,
      }),
    ],
    indicators: INDICATORS,
    leaders: [{ staffId: 'C01-001', institutionId: 'C01', targetAnnualSalary: 20_000_000 }],
    staff: STAFF,
    ...overrides,
  };
}

export function cycle(kind: CycleKind, period: string, overrides: Partial<CycleRecord> = {}): CycleRecord {
  return {
    communityId: 'xingguo',
    kind,
    period,
    revision: kind === 'monthly' ? 2 : 1,
    status: 'completed',
    datasetVersion: 3,
    startedBy: 'office1',
    startedAt: '2026-04-01T01:00:00.000Z',
    updatedAt: '2026-04-01T01:05:00.000Z',
    ...(kind === 'monthly'
      ? {}
      : { decision: { approved: true, by: 'finance1', at: '2026-04-02T02:00:00.000Z' } }),
    version: 3,
    ...overrides,
  };
}

type StoredInstitution = MonthlyReport['institutions'][number];

/** The stored REPORT document of a month, as functions/build-monthly-report.ts writes it. */
export function storedMonthlyReport(period: string): MonthlyReport {
  const institutions: StoredInstitution[] = [
    {
      institutionId: 'C01',
      reward: 3_400_000,
      basicShare: '33/50',
      basicShareOutOfRange: false,
      pool: 283_334,
      holdback: 56_667,
      distributable: 226_667,
      undistributed: 0,
      headcount: 1,
      dispatch: {
        missingSubmissions: ['records'],
        staffWithoutWorkload: ['C01-002'],
        yearToDate: {
          score: '71.56',
          indicators: [
            { indicatorId: 'visits', value: '0.58', score: '7.99', status: 'red' },
            { indicatorId: 'records', value: null, score: '0.00', status: 'grey' },
            { indicatorId: 'tele', value: '15.00', score: '0.75', status: 'red' },
          ],
        },
      },
      paid: { basic: 300_000, reward: 226_667, adjustment: -12_050, gross: 514_617 },
    },
    {
      institutionId: 'T01',
      reward: 200_000,
      basicShare: '12/13',
      basicShareOutOfRange: true,
      pool: 16_667,
      holdback: 3_333,
      distributable: 13_334,
      undistributed: 13_334,
      headcount: 1,
      dispatch: {
        missingSubmissions: [],
        staffWithoutWorkload: [],
        yearToDate: {
          score: '95.00',
          indicators: [{ indicatorId: 'visits', value: '0.70', score: '9.60', status: 'green' }],
        },
      },
      paid: { basic: 200_000, reward: 0, adjustment: 0, gross: 200_000 },
    },
  ];
  return {
    period,
    revision: 2,
    datasetVersion: 3,
    totals: {
      basic: 500_000,
      reward: 226_667,
      adjustment: -12_050,
      gross: 714_617,
      holdback: 60_000,
      undistributed: 13_334,
      lines: 2,
    },
    institutions,
  };
}

export function monthly(period: string, overrides: Partial<MonthlyCycleData> = {}): MonthlyCycleData {
  return {
    cycle: cycle('monthly', period),
    dataset: dataset(),
    report: storedMonthlyReport(period),
    results: [
      {
        institutionId: 'C01',
        reward: 3_400_000,
        basicShare: '33/50',
        basicShareOutOfRange: false,
        pool: 283_334,
        holdback: 56_667,
        distributable: 226_667,
        undistributed: 0,
        lines: [
          {
            staffId: 'C01-001',
            basic: 300_000,
            reward: 226_667,
            adjustment: -12_050,
            gross: 514_617,
            points: '10',
          },
        ],
      },
      {
        institutionId: 'T01',
        reward: 200_000,
        basicShare: '12/13',
        basicShareOutOfRange: true,
        pool: 16_667,
        holdback: 3_333,
        distributable: 13_334,
        undistributed: 13_334,
        lines: [
          { staffId: 'T01-001', basic: 200_000, reward: 0, adjustment: 0, gross: 200_000, points: '0' },
        ],
      },
    ],
    ...overrides,
  };
}

export function indicatorResult(
  indicatorId: string,
  overrides: Partial<IndicatorResult> = {},
): IndicatorResult {
  return {
    indicatorId,
    dimension: 'medical',
    weight: '10',
    bonus: false,
    value: '0.50',
    missing: false,
    score: '8.00',
    attainment: '4/5',
    ...overrides,
  };
}

function quarterScore(
  institutionId: string,
  kind: string,
  score: string,
  grade: string,
): QuarterlyInstitutionResult {
  return {
    institutionId,
    kind,
    score,
    grade,
    coefficient: grade === '不合格' ? '0.70' : '0.90',
    publicHealthScore: null,
    indicators: [
      indicatorResult('visits', { score: '9.99', attainment: '999/1000' }),
      indicatorResult('records', { weight: '5', value: null, missing: true, score: '0.00', attainment: '0' }),
      // 79.96 %: red, and must not print as 80.0 %.
      indicatorResult('tele', { weight: '3', bonus: true, score: '2.40', attainment: '1999/2500' }),
    ],
    surplus: 0,
    fundExtraction: 0,
    pool: 0,
  };
}

/** Q1: everyone passes. Q2: the township drops to 不合格 (the red list). */
export function quarter(q: 1 | 2): QuarterlyCycleData {
  const period = `2026-Q${q}`;
  const scores =
    q === 1
      ? [
          ['C01', 'county_hospital', '72.00', '合格'],
          ['T01', 'township', '65.00', '合格'],
          ['P01', 'public_health', '70.00', '合格'],
        ]
      : [
          ['C01', 'county_hospital', '74.50', '合格'],
          ['T01', 'township', '55.25', '不合格'],
          ['P01', 'public_health', '81.00', '良好'],
        ];
  const previous =
    q === 1
      ? null
      : new Map([
          ['C01', '72.00'],
          ['T01', '65.00'],
          ['P01', '70.00'],
        ]);
  return {
    cycle: cycle('quarterly', period),
    dataset: dataset(),
    scores: scores.map(([id, kind, score, grade]) => quarterScore(id!, kind!, score!, grade!)),
    bulletin: scores.map(([id, kind, score, grade]) => ({
      institutionId: id!,
      score: score!,
      grade: grade!,
      rank: 1,
      peerGroup: kind === 'county_hospital' ? 'county' : kind === 'township' ? 'primary' : 'centre',
      change: previous ? (Number(score) - Number(previous.get(id!))).toFixed(2) : null,
      surplus: id === 'C01' ? 1_000_000 : 0,
      fundExtraction: id === 'C01' ? 400_000 : 0,
      pool: id === 'C01' ? 420_000 : 0,
    })),
    allocations: [
      {
        institutionId: 'C01',
        pool: 420_000,
        undistributed: 0,
        lines: [{ staffId: 'C01-001', amount: 420_000, points: '30' }],
      },
      {
        institutionId: 'T01',
        pool: 0,
        undistributed: 0,
        lines: [{ staffId: 'T01-001', amount: 0, points: '0' }],
      },
    ],
  };
}

function settlement(): AnnualSettlementResult {
  return {
    communityScore: '68.20',
    communityGrade: '合格',
    institutions: [
      {
        institutionId: 'C01',
        score: '73.00',
        grade: '合格',
        coefficient: '0.90',
        reserve: 680_004,
        reserveReleased: 544_003,
        reserveToDevelopmentFund: 136_001,
        insurancePayPart: 100_000,
        annualBonusPool: 644_003,
        nextApprovedTotal: 9_000_000,
      },
      {
        institutionId: 'T01',
        score: '58.00',
        grade: '不合格',
        coefficient: '0.70',
        reserve: 199_992,
        reserveReleased: 99_996,
        reserveToDevelopmentFund: 99_996,
        insurancePayPart: 50_000,
        annualBonusPool: 149_996,
        nextApprovedTotal: 1_820_000,
      },
    ],
    insurance: {
      outcome: 'surplus',
      budget: 10_000_000,
      actual: 9_700_000,
      surplus: 300_000,
      retained: 250_000,
      returned: 50_000,
      payPart: 150_000,
      developmentPart: 100_000,
      payPartByInstitution: { C01: 100_000, T01: 50_000 },
    },
    publicHealth: {
      total: 9_900_000,
      retainedByCommunity: 100_000,
      rows: [
        {
          institutionId: 'C01',
          base: 0,
          preAllocated: 0,
          entitlement: 0,
          settlement: 0,
          quality: '1',
          qualityDefaulted: true,
        },
        {
          institutionId: 'T01',
          base: 5_940_000,
          preAllocated: 3_564_000,
          entitlement: 5_840_000,
          settlement: 2_276_000,
          quality: '0.98',
          qualityDefaulted: false,
        },
      ],
    },
    leaders: [{ staffId: 'C01-001', institutionId: 'C01', salary: 18_000_000 }],
  };
}

/** Month locks: C01 puts 56,667 fen a month into its reserve, T01 3,333 + 13,333 undistributed. */
export function locks(): MonthLock[] {
  return Array.from({ length: 12 }, (_, i) => {
    const period = `2026-${String(i + 1).padStart(2, '0')}`;
    return {
      period,
      revision: i === 2 ? 2 : 1,
      datasetVersion: i < 6 ? 2 : 3,
      lockedAt: '2026-12-31T00:00:00.000Z',
      hashes: {},
      reserve: {
        C01: { holdback: 56_667, undistributed: 0 },
        T01: { holdback: 3_333, undistributed: 13_333 },
      },
    };
  });
}

export function year(): YearData {
  const months = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
  const v2 = dataset({ version: 2, schemeHash: 'feedfacefeedface' });
  return {
    communityId: 'xingguo',
    year: 2026,
    monthly: months.map((m, i) =>
      monthly(m, {
        cycle: cycle('monthly', m, { revision: i === 2 ? 2 : 1, datasetVersion: i < 6 ? 2 : 3 }),
        dataset: i < 6 ? v2 : dataset(),
      }),
    ),
    quarterly: [quarter(1), quarter(2)],
    annual: {
      cycle: cycle('annual', '2026', { revision: 1 }),
      dataset: dataset(),
      scores: [
        { ...quarterScore('C01', 'county_hospital', '73.00', '合格'), reserve: 680_004 },
        { ...quarterScore('T01', 'township', '58.00', '不合格'), reserve: 199_992 },
      ].map(({ kind: _k, surplus: _s, fundExtraction: _f, pool: _p, ...rest }) => rest),
      settlement: settlement(),
      allocations: [
        {
          institutionId: 'C01',
          pool: 644_003,
          undistributed: 0,
          lines: [{ staffId: 'C01-001', amount: 644_003, points: '120' }],
        },
        {
          institutionId: 'T01',
          pool: 149_996,
          undistributed: 0,
          lines: [{ staffId: 'T01-001', amount: 149_996, points: '80' }],
        },
      ],
      locks: locks(),
    },
  };
}
