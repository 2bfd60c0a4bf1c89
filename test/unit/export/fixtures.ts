/** Pay sheets for the export tests. Amounts in fen; totals in tests are summed from these, never read back. */
import type { PaySheet, PaySheetLine } from '../../../shared/export/types.js';

export function line(overrides: Partial<PaySheetLine> = {}): PaySheetLine {
  return {
    period: '2026-03',
    institutionId: 'C01',
    institutionName: '县人民医院',
    department: '内科',
    staffId: 'C01-001',
    name: '张三',
    post: 'doctor',
    basic: 200025,
    reward: 153377,
    quarterlySurplus: 0,
    annualBonus: 0,
    adjustment: 0,
    gross: 353402,
    ...overrides,
  };
}

/** Two institutions, given out of order, with a negative adjustment and hostile text. */
export function sampleSheet(): PaySheet {
  return {
    kind: 'monthly',
    period: '2026-03',
    communityName: '某县医共体',
    lineage: 'cycle 2026-03 · dataset v7 · scheme 3f2a9c',
    lines: [
      line({
        institutionId: 'T02',
        institutionName: '城关镇卫生院',
        department: '公卫科',
        staffId: 'T02-002',
        name: '=1+2',
        post: 'public_health',
        basic: 300000,
        reward: 5,
        adjustment: -12050,
        gross: 287955,
      }),
      line({ staffId: 'C01-002', name: '@SUM(A1)', post: 'nurse', basic: 380025, reward: 99, gross: 380124 }),
      line(),
      line({
        institutionId: 'T02',
        institutionName: '城关镇卫生院',
        department: '-x',
        staffId: 'T02-001',
        name: '+86',
        post: 'village_doctor',
        basic: 1,
        reward: 123456789,
        quarterlySurplus: 4400,
        annualBonus: 1000000,
        adjustment: -1,
        gross: 124461189,
      }),
      line({
        staffId: 'C01-003',
        name: '<b>李四</b> & <script>alert(1)</script>',
        post: 'pharmacist',
        basic: 0,
        reward: 0,
        gross: 0,
      }),
    ],
  };
}

export const AMOUNT_KEYS = [
  'basic',
  'reward',
  'quarterlySurplus',
  'annualBonus',
  'adjustment',
  'gross',
] as const;

export function sumOf(lines: readonly PaySheetLine[], key: (typeof AMOUNT_KEYS)[number]): number {
  return lines.reduce((total, l) => total + l[key], 0);
}

/** Sorted the way the files must be: institutionId, then staffId. */
export function expectedOrder(lines: readonly PaySheetLine[]): PaySheetLine[] {
  return [...lines].sort((a, b) =>
    a.institutionId === b.institutionId
      ? a.staffId < b.staffId
        ? -1
        : 1
      : a.institutionId < b.institutionId
        ? -1
        : 1,
  );
}
