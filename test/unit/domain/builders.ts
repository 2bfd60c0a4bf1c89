/**
 * Small builders for domain unit tests: a scheme with DOMAIN.md §2's example parameters and rows with
 * sensible defaults, so each test spells out only the figures it is about.
 */

import { rational } from '../../../shared/domain/rational.js';
import type {
  Adjustment,
  Grade,
  Indicator,
  IndicatorValue,
  Institution,
  Scheme,
  Staff,
  WorkloadRow,
} from '../../../shared/schemas/dataset.js';

export const GRADES: Grade[] = [
  { min: '90', grade: '优秀', coefficient: '1.10', reserveRelease: '1.00', insuranceGate: '1.00' },
  { min: '80', grade: '良好', coefficient: '1.00', reserveRelease: '1.00', insuranceGate: '0.90' },
  { min: '60', grade: '合格', coefficient: '0.90', reserveRelease: '0.80', insuranceGate: '0.80' },
  { min: '0', grade: '不合格', coefficient: '0.70', reserveRelease: '0.50', insuranceGate: '0.50' },
];

export function grade(name: '优秀' | '良好' | '合格' | '不合格'): Grade {
  return GRADES.find((g) => g.grade === name)!;
}

export function scheme(overrides: Partial<Scheme> = {}): Scheme {
  return {
    community: { id: 'xingguo', name: '兴国县卫生健康总院', residentPopulation: 1000 },
    year: 2026,
    grades: GRADES,
    bonusCap: '5',
    pay: {
      holdbackRate: '0.20',
      basicShareRange: ['0.50', '0.80'],
      growthRate: '0',
      tilt: { key: '0.10', scarce: '0.10', high_risk: '0.15', high_level: '0.20', core: '0.10', cap: '1.50' },
      surplus: { fundExtractionRate: '0.40', rewardShare: '0.70' },
    },
    insurance: {
      retentionTiers: [
        { upTo: '0.05', rate: '1.00' },
        { upTo: null, rate: '0.50' },
      ],
      overspendBand: '0.10',
      overspendFundShare: '0.50',
      retainedToPayShare: '0.60',
    },
    publicHealth: { perCapita: 9900, preAllocationRate: '0.60' },
    ...overrides,
  };
}

export function indicator(overrides: Partial<Indicator> = {}): Indicator {
  return {
    id: 'k1',
    nameZh: '指标',
    nameEn: 'indicator',
    dimension: 'medical',
    appliesTo: '*',
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'mean',
    method: 'actual',
    weight: '10',
    ...overrides,
  };
}

/** A value row: `value` for most aggregations, `[numerator, denominator]` for ratio. */
export function valueRow(
  period: string,
  value: string | [string, string],
  overrides: Partial<IndicatorValue> = {},
): IndicatorValue {
  const base = { period, institutionId: 'T01', indicatorId: overrides.indicatorId ?? 'k1' };
  return typeof value === 'string'
    ? { ...base, value, ...overrides }
    : { ...base, numerator: value[0], denominator: value[1], ...overrides };
}

export function institution(overrides: Partial<Institution> = {}): Institution {
  return {
    id: 'T01',
    name: '第1乡镇分院',
    kind: 'township',
    funding: 1,
    tier: '1.0',
    servedPopulation: 0,
    approvedTotal: 0,
    ...overrides,
  };
}

export function staff(staffId: string, overrides: Partial<Staff> = {}): Staff {
  return {
    staffId,
    name: `职工${staffId}`,
    institutionId: 'T01',
    department: '内科',
    post: 'doctor',
    postCoefficient: '1',
    flags: [],
    basicMonthly: 0,
    ...overrides,
  };
}

/** A workload row with full quality and full attendance, so points = workPoints × post × tilt. */
export function work(
  period: string,
  staffId: string,
  workPoints: string,
  overrides: Partial<WorkloadRow> = {},
): WorkloadRow {
  return {
    period,
    staffId,
    workPoints,
    quality: '100',
    attendedDays: '20',
    scheduledDays: '20',
    ...overrides,
  };
}

export function adjustment(period: string, staffId: string, amount: number): Adjustment {
  return { period, staffId, amount, reason: '补发', refPeriod: '2026-01' };
}

/** The canonical fraction text of a decimal, to compare exact results readably: exactly('7.5') === '15/2'. */
export function exactly(value: string | number): string {
  return rational(value).toFraction();
}
